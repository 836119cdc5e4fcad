namespace Nabla.Cli;

/// <summary>
/// A mistake in the command line itself: an option out of range, options that contradict each
/// other or the model file. Like the library's own user-input errors it is printed as one line and
/// exits with code 2.
/// </summary>
internal sealed class UsageException(string message) : NablaException(message);
