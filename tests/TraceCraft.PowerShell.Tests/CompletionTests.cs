using System;
using System.Linq;
using System.Management.Automation;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.PowerShell.Tests
{
    /// <summary>Argument completers, called the way the console calls them (CommandCompletion.CompleteInput).</summary>
    public sealed class CompletionTests : IDisposable
    {
        private readonly HostedModule _host = new HostedModule();

        private string[] Complete(string input)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _host.Runspace;
            ps.AddScript("$ExecutionContext.SessionState.Path.SetLocation($args[0]) | Out-Null").AddArgument(_host.FolderOf("lead"));
            ps.Invoke();
            ps.Commands.Clear();
            var result = CommandCompletion.CompleteInput(input, input.Length, null, ps);
            return result.CompletionMatches.Select(m => m.CompletionText).ToArray();
        }

        [Fact]
        public void Completes_step_ids_memory_keys_agents_recipients_and_artifact_names_from_the_bucket()
        {
            string project = TestS3Server.UniqueName("compl");
            _host.Run("lead", "Initialize-TcProject -Project $p -Agent lead -Backend folder -Path ([System.IO.Path]::Combine($r, 'bucket'))", new() { ["p"] = project, ["r"] = _host.Root }).Ok();
            System.IO.File.WriteAllText(System.IO.Path.Combine(_host.FolderOf("lead"), "report.txt"), "x");
            _host.Run("lead", "$null = Request-TcStep -Id build; $null = Request-TcStep -Id 'Claim Only'; $null = New-TcStep -Id bundle; $null = Set-TcMemory -Key design.status -Value x; $null = Publish-TcArtifact -Path report.txt -Step build").Ok();

            Assert.Equal(new[] { "build", "bundle" }, Complete("Request-TcStep -Id b"));
            Assert.Contains("'claim only'", Complete("Get-TcStep -Id c"));
            Assert.Equal(new[] { "design.status" }, Complete("Get-TcMemory -Key des"));
            Assert.Equal(new[] { "_broadcast", "lead" }, Complete("Send-TcMessage -To "));
            Assert.Equal(new[] { "lead" }, Complete("Get-TcAgent -Id l"));
            Assert.Equal(new[] { "report.txt" }, Complete("Save-TcArtifact -Name r"));
        }

        [Fact]
        public void Completion_without_a_config_offers_nothing_and_never_fails()
        {
            Assert.Empty(Complete("Request-TcStep -Id x"));
            Assert.Equal(new[] { "_broadcast" }, Complete("Send-TcMessage -To _"));
        }

        public void Dispose() => _host.Dispose();
    }
}
