using System.Reflection;
using System.Reflection.Emit;

namespace Nabla.Tests.Architecture;

/// <summary>
/// The types a method body refers to, read from its IL: every type, field and method token
/// (<c>newobj</c>, <c>call</c>, <c>ldfld</c>, <c>box</c>, <c>ldtoken</c>, …) resolved to the types it
/// names, plus local variable and catch types. Reflection over signatures alone misses a type that
/// only appears inside a body (<c>var b = new Batch(…)</c>, <c>Training.Foo.Bar()</c>).
/// </summary>
internal static class IlReferences
{
    private static readonly OpCode?[] OneByte = new OpCode?[256];
    private static readonly OpCode?[] TwoByte = new OpCode?[256];

    static IlReferences()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (field.GetValue(null) is not OpCode op) continue;
            ushort value = unchecked((ushort)op.Value);
            if (op.Size == 1) OneByte[value] = op;
            else TwoByte[value & 0xFF] = op;
        }
    }

    /// <summary>The types <paramref name="method"/>'s body names (none for abstract, extern and runtime methods).</summary>
    public static IEnumerable<Type> Of(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null) return [];
        var found = new List<Type>();
        foreach (var local in body.LocalVariables) found.Add(local.LocalType);
        foreach (var clause in body.ExceptionHandlingClauses)
            if (clause.Flags == ExceptionHandlingClauseOptions.Clause && clause.CatchType is { } caught) found.Add(caught);
        var il = body.GetILAsByteArray() ?? [];
        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            var op = il[pos] == 0xFE && pos + 1 < il.Length ? TwoByte[il[pos + 1]] : OneByte[il[pos]];
            if (op is not { } code) throw new InvalidOperationException($"unknown IL opcode 0x{il[pos]:X2} at {pos} in {method.DeclaringType}.{method.Name}");
            pos += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok:
                    AddMember(method.Module.ResolveMember(BitConverter.ToInt32(il, pos), typeArgs, methodArgs), found);
                    pos += 4;
                    break;
                case OperandType.InlineSwitch:
                    pos += 4 + 4 * BitConverter.ToInt32(il, pos);
                    break;
                default:
                    pos += OperandSize(code.OperandType);
                    break;
            }
        }
        return found;
    }

    private static void AddMember(MemberInfo? member, List<Type> found)
    {
        switch (member)
        {
            case Type type:
                found.Add(type);
                break;
            case FieldInfo field:
                if (field.DeclaringType is { } fd) found.Add(fd);
                found.Add(field.FieldType);
                break;
            case MethodBase m:
                if (m.DeclaringType is { } md) found.Add(md);
                if (m is MethodInfo info) found.Add(info.ReturnType);
                foreach (var p in m.GetParameters()) found.Add(p.ParameterType);
                if (m.IsGenericMethod) found.AddRange(m.GetGenericArguments());
                break;
        }
    }

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4, // branch targets, int32, float32, strings, signatures
    };
}
