using Nabla.Cli;
using Nabla.Data;

namespace Nabla.Tests.Cli;

public class DataOptionFlagsTests
{
    [Fact]
    public void Every_data_option_has_a_word_in_the_tool()
    {
        Assert.Equal(typeof(DataOptions).GetProperties().Select(p => p.Name).Order(), DataOptionFlags.Words.Keys.Order());
    }

    [Fact]
    public void Reword_replaces_whole_property_names_only()
    {
        Assert.Equal("a label separator (--label-separator) needs one label column (--label)",
            DataOptionFlags.Reword("a label separator (DataOptions.LabelSeparator) needs one label column (DataOptions.Label)"));
        Assert.Equal("DataOptions.Unknown stays; MyDataOptions.Limit too", DataOptionFlags.Reword("DataOptions.Unknown stays; MyDataOptions.Limit too"));
    }
}
