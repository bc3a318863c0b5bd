using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Xml.Linq;
using Xunit;

namespace TraceCraft.PowerShell.Tests
{
    /// <summary>The manifest, the cmdlets and the format file agree with each other.</summary>
    public sealed class ModuleContractTests : IDisposable
    {
        private readonly HostedModule _host = new HostedModule();

        private static readonly string[] StateChanging = { "Set", "Remove", "Complete", "Publish", "Save", "Initialize", "New", "Reset" };

        [Fact]
        public void The_manifest_is_valid_and_exports_exactly_the_cmdlets_the_module_has()
        {
            var manifest = _host.Run("x", "Test-ModuleManifest -Path $p", new() { ["p"] = HostedModule.ModulePath }).Ok().Output.Single();
            Assert.Equal("TraceCraft", manifest.Properties["Name"].Value);
            var exported = ((IDictionary)manifest.Properties["ExportedCmdlets"].Value).Keys.Cast<string>().OrderBy(x => x).ToList();
            var loaded = _host.Run("x", "Get-Command -Module TraceCraft -CommandType Cmdlet | ForEach-Object Name").Ok().Output.Select(o => (string)o.BaseObject).OrderBy(x => x).ToList();
            Assert.Equal(exported, loaded);
            Assert.Equal(29, loaded.Count);
            var functions = _host.Run("x", "Get-Command -Module TraceCraft -CommandType Function | ForEach-Object Name").Ok().Output.Select(o => (string)o.BaseObject);
            Assert.Equal(new[] { "tracecraft" }, functions);
            var data = manifest.Properties["PrivateData"].Value as Hashtable;
            var psData = (Hashtable)data!["PSData"]!;
            Assert.NotNull(psData["ProjectUri"]);
            Assert.NotNull(psData["LicenseUri"]);
            Assert.NotNull(psData["ReleaseNotes"]);
        }

        [Fact]
        public void Every_cmdlet_declares_its_output_and_every_state_changing_one_supports_WhatIf()
        {
            var commands = _host.Run("x", "Get-Command -Module TraceCraft -CommandType Cmdlet").Ok().Output;
            foreach (var command in commands.Select(c => (CmdletInfo)c.BaseObject))
            {
                Assert.True(command.OutputType.Count > 0, $"{command.Name} has no [OutputType]");
                if (StateChanging.Contains(command.Verb))
                    Assert.True(command.Parameters.ContainsKey("WhatIf"), $"{command.Name} changes state but has no -WhatIf");
            }
            Assert.True(commands.Select(c => (CmdletInfo)c.BaseObject).Single(c => c.Name == "Get-TcInbox").Parameters.ContainsKey("WhatIf"), "Get-TcInbox -Delete deletes");
        }

        [Fact]
        public void The_format_file_is_valid_and_has_a_view_for_every_output_type()
        {
            string formatFile = Path.Combine(Path.GetDirectoryName(HostedModule.ModulePath)!, "TraceCraft.Format.ps1xml");
            var views = XDocument.Load(formatFile).Descendants("View").Select(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value).ToHashSet();
            var outputTypes = _host.Run("x", "Get-Command -Module TraceCraft -CommandType Cmdlet | ForEach-Object { $_.OutputType.Name }").Ok().Output
                .Select(o => (string)o.BaseObject).Where(t => t.StartsWith("TraceCraft.")).Distinct();
            foreach (var type in outputTypes) Assert.Contains(type, views);
            // CreateDefault2 has no Get-FormatData; the module reports the format file it loaded.
            var loaded = _host.Run("x", "(Get-Module TraceCraft).ExportedFormatFiles").Ok().Output.Select(o => (string)o.BaseObject);
            Assert.Equal(formatFile, Assert.Single(loaded));
        }

        public void Dispose() => _host.Dispose();
    }
}
