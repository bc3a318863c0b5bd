using System;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace TraceCraft.PowerShell.Tests
{
    /// <summary>Every exported command has real help: synopsis, description, an example, every parameter described.</summary>
    public sealed class HelpTests : IDisposable
    {
        private readonly HostedModule _host = new HostedModule();

        [Fact]
        public void Every_exported_command_has_complete_help()
        {
            var names = _host.Run("x", "Get-Command -Module TraceCraft | ForEach-Object Name").Ok().Output.Select(o => (string)o.BaseObject).ToList();
            Assert.Equal(21, names.Count);
            foreach (var name in names)
            {
                var help = _host.Run("x", "Get-Help $n -Full", new() { ["n"] = name }).Ok().Output.Single();
                string synopsis = ((string)help.Properties["Synopsis"].Value).Trim();
                Assert.False(string.IsNullOrEmpty(synopsis) || synopsis.StartsWith(name + " ") || synopsis.StartsWith("\n"), $"{name}: the synopsis is the generated syntax line");
                var description = _host.Run("x", "(Get-Help $n).Description.Text -join ''", new() { ["n"] = name }).Ok().Output.Single().BaseObject as string;
                Assert.False(string.IsNullOrWhiteSpace(description), $"{name} has no description");
                var examples = _host.Run("x", "@((Get-Help $n).Examples.Example).Count", new() { ["n"] = name }).Ok().Output.Single().BaseObject;
                Assert.True((int)examples >= 1, $"{name} has no example");
                var undocumented = _host.Run("x", "(Get-Help $n).Parameters.Parameter | Where-Object { $_ -and -not ($_.Description.Text -join '').Trim() } | ForEach-Object Name", new() { ["n"] = name }).Ok().Output;
                Assert.True(undocumented.Count == 0, $"{name}: parameters without description: {string.Join(", ", undocumented)}");
            }
            var about = _host.Run("x", "(Get-Help about_TraceCraft) -join \"`n\"").Ok().Output.Single().BaseObject as string;
            Assert.Contains("lease", about!, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("claim.json", about!);
        }

        public void Dispose() => _host.Dispose();
    }
}
