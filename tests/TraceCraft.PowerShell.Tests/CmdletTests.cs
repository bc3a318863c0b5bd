using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.PowerShell.Tests
{
    /// <summary>The cmdlets as a script meets them: emitted objects, type names, error ids, pipelines; on both backends (-WhatIf, completion, secrets and help: tests/Pester).</summary>
    public abstract class CmdletTests : IDisposable
    {
        protected readonly HostedModule Host = new HostedModule();
        protected readonly string Project = TestS3Server.UniqueName("ps");

        protected abstract string InitScript { get; }

        protected CmdletTests() { }

        protected HostedModule.Result Init(string agent) =>
            Host.Run(agent, InitScript, new System.Collections.Generic.Dictionary<string, object?> { ["project"] = Project, ["agent"] = agent, ["root"] = Host.Root }).Ok();

        private static string Id(string error, string command) => $"{error},TraceCraft.PowerShell.Commands.{command}";

        [Fact]
        public void Objects_carry_their_type_names_and_the_story_works_through_cmdlets()
        {
            var context = Assert.Single(Init("designer").Output);
            Assert.Equal("TraceCraft.ProjectContext", context.TypeNames[0]);
            Init("developer");
            var claim = Assert.Single(Host.Run("designer", "Request-TcStep -Id design -LeaseSeconds 600").Ok().Output);
            Assert.Equal("TraceCraft.StepClaim", claim.TypeNames[0]);
            Assert.Equal("designer", claim.Properties["Agent"].Value);
            Assert.Equal(1L, claim.Properties["Token"].Value);
            var entry = Assert.Single(Host.Run("designer", "Set-TcMemory -Key design.status -Value complete").Ok().Output);
            Assert.Equal("TraceCraft.MemoryEntry", entry.TypeNames[0]);
            var table = Assert.Single(Host.Run("designer", "Set-TcMemory -Key design.spec -Value ([ordered]@{ pages = 3; tags = @('a','b') })").Ok().Output);
            Assert.Equal("{\"pages\":3,\"tags\":[\"a\",\"b\"]}", table.Properties["ValueJson"].Value);
            Assert.Equal("TraceCraft.Message", Assert.Single(Host.Run("designer", "Send-TcMessage -To developer -Text 'Design is ready'").Ok().Output).TypeNames[0]);
            var message = Assert.Single(Host.Run("developer", "Get-TcInbox | Where-Object { $_.From -eq 'designer' }").Ok().Output);
            Assert.Equal("Design is ready", message.Properties["Text"].Value);
            Assert.Equal("complete", Assert.Single(Host.Run("developer", "(Get-TcMemory -Key design.status).Value").Ok().Output).BaseObject);
            var done = Assert.Single(Host.Run("designer", "Complete-TcStep -Id design -Note 'done' -To developer").Ok().Output);
            Assert.Equal("TraceCraft.Step", done.TypeNames[0]);
            Assert.Equal("complete", done.Properties["Status"].Value);
            var waited = Assert.Single(Host.Run("developer", "Wait-TcStep -Id design -Timeout 10").Ok().Output);
            Assert.Equal("complete", waited.Properties["Status"].Value);
            Assert.Equal("TraceCraft.Handoff", Assert.Single(Host.Run("developer", "Get-TcHandoff -Id design").Ok().Output).TypeNames[0]);
            var agents = Host.Run("developer", "Get-TcAgent").Ok().Output;
            Assert.Equal(new[] { "designer", "developer" }, agents.Select(a => (string)a.Properties["Id"].Value).OrderBy(x => x));
            Assert.All(agents, a => Assert.Equal("TraceCraft.Agent", a.TypeNames[0]));
        }

        [Fact]
        public void Errors_have_stable_ids_categories_and_targets()
        {
            Init("a");
            Init("b");
            Host.Run("a", "Request-TcStep -Id s").Ok();
            var taken = Host.Run("b", "Request-TcStep -Id s");
            var error = Assert.Single(taken.Errors);
            Assert.Equal(Id("StepAlreadyClaimed", "RequestTcStepCommand"), error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
            Assert.Equal("s", error.TargetObject);
            Assert.Equal("Step s already claimed by a", error.Exception.Message);

            Assert.Equal(Id("MemoryKeyNotFound", "GetTcMemoryCommand"), Host.Run("a", "Get-TcMemory -Key nope").ErrorIds);
            Assert.Equal(Id("InvalidIdentifier", "RequestTcStepCommand"), Host.Run("a", "Request-TcStep -Id '../x'").ErrorIds);
            Assert.Equal(Id("InvalidIdentifier", "SetTcMemoryCommand"), Host.Run("a", "Set-TcMemory -Key \"a`0b\" -Value 1").ErrorIds);
            var v1 = Host.Run("a", "(Set-TcMemory -Key k -Value 1).Version").Ok().Output.Single().BaseObject;
            Host.Run("a", "Set-TcMemory -Key k -Value 2").Ok();
            var stale = Host.Run("b", "Set-TcMemory -Key k -Value 3 -IfVersion $v", new System.Collections.Generic.Dictionary<string, object?> { ["v"] = v1 });
            Assert.Equal(Id("MemoryVersionMismatch", "SetTcMemoryCommand"), stale.ErrorIds);
            Assert.Equal(2L, Host.Run("a", "(Get-TcMemory -Key k).Value").Ok().Output.Single().BaseObject);
            var notMine = Host.Run("b", "Complete-TcStep -Id s");
            Assert.Equal(Id("StepNotOwned", "CompleteTcStepCommand"), notMine.ErrorIds);
            var timeout = Host.Run("a", "Wait-TcStep -Id never -Timeout 0.3");
            Assert.Equal(Id("WaitTimeout", "WaitTcStepCommand"), timeout.ErrorIds);
        }

        [Fact]
        public void Get_TcInbox_Wait_shows_its_progress_like_Wait_TcStep()
        {
            Init("reader");
            var timedOut = Host.Run("reader", "Get-TcInbox -Wait -Timeout 1").Ok();
            Assert.Empty(timedOut.Output);
            var waiting = timedOut.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
            Assert.NotEmpty(waiting);
            Assert.All(waiting, p => Assert.Equal("Waiting for a message", p.Activity));
            Assert.StartsWith("Nothing new after ", waiting[0].StatusDescription);
            Assert.InRange(waiting[0].SecondsRemaining, 0, 1);
            var end = timedOut.Progress.Last();
            Assert.Equal((ProgressRecordType.Completed, "Timed out"), (end.RecordType, end.StatusDescription));

            Init("writer");
            Host.Run("writer", "Send-TcMessage reader 'here'").Ok();
            var got = Host.Run("reader", "Get-TcInbox -Wait -Timeout 5").Ok();
            Assert.Equal("here", Assert.Single(got.Output).Properties["Text"].Value);
            Assert.Equal((ProgressRecordType.Completed, "1 new"), (got.Progress.Last().RecordType, got.Progress.Last().StatusDescription));
        }

        [Fact]
        public void A_missing_config_is_a_terminating_ConfigNotFound()
        {
            var result = Host.Run("nobody", "Get-TcStep; 'not reached'");
            Assert.Equal(Id("ConfigNotFound", "GetTcStepCommand"), result.ErrorIds);
            Assert.Equal(ErrorCategory.ObjectNotFound, result.AllErrors.Single().CategoryInfo.Category);
            var stop = Host.Run("nobody", "try { Get-TcStep -ErrorAction Stop; 'not reached' } catch { 'caught ' + $_.FullyQualifiedErrorId }").Ok();
            Assert.Equal("caught " + Id("ConfigNotFound", "GetTcStepCommand"), stop.Output.Single().BaseObject);
        }

        [Fact]
        public void Pipelines_bind_by_property_name()
        {
            Init("lead");
            Host.Run("lead", "New-TcStep -Id lint; New-TcStep -Id test; New-TcStep -Id build -DependsOn lint,test").Ok();
            var claimed = Host.Run("lead", "Get-TcStep -Ready | Request-TcStep").Ok().Output;
            Assert.Equal(new[] { "lint", "test" }, claimed.Select(c => (string)c.Properties["StepId"].Value).OrderBy(x => x));
            Host.Run("lead", "Get-TcStep -Id lint, test | Complete-TcStep").Ok();
            Assert.Equal(2, Host.Run("lead", "Get-TcStep -Id lint, test | Wait-TcStep -Timeout 5").Ok().Output.Count);
            Assert.Equal("build", Host.Run("lead", "Get-TcStep -Ready | Request-TcStep").Ok().Output.Single().Properties["StepId"].Value);

            File.WriteAllText(Path.Combine(Host.FolderOf("lead"), "out.bin"), "payload");
            File.WriteAllText(Path.Combine(Host.FolderOf("lead"), "log.txt"), "log");
            Host.Run("lead", "Publish-TcArtifact -Path out.bin, log.txt -Step build").Ok();
            var saved = Host.Run("lead", "Get-TcArtifact -Step build | Save-TcArtifact -Destination ./in/").Ok().Output;
            Assert.Equal(2, saved.Count);
            Assert.Equal("payload", File.ReadAllText(Path.Combine(Host.FolderOf("lead"), "in", "out.bin")));
            var again = Host.Run("lead", "Get-TcArtifact -Step build | Save-TcArtifact -Destination ./in/");
            Assert.All(again.Errors, e => Assert.Equal(Id("DestinationExists", "SaveTcArtifactCommand"), e.FullyQualifiedErrorId));
            Assert.Equal(2, again.Errors.Count);
            var remaining = Host.Run("lead", "$null = Set-TcMemory a 1; $null = Set-TcMemory b.c 2; Get-TcMemory | Remove-TcMemory; @(Get-TcMemory).Count").Ok();
            Assert.Equal(0, remaining.Output.Single().BaseObject);
        }

        [Fact]
        public void The_tracecraft_function_sets_LASTEXITCODE_and_writes_lines()
        {
            Init("a");
            var ok = Host.Run("a", "tracecraft claim s; $LASTEXITCODE").Ok().Output.Select(o => o.BaseObject).ToList();
            Assert.Equal(new object[] { "Claimed step s as a", 0 }, ok);
            // A failed call sets $? to $false (so pwsh -Command exits 1) without a second, PowerShell-styled error.
            var failed = Host.Run("a", "tracecraft claim s; $?; $LASTEXITCODE").Ok();
            Assert.Equal(new object[] { false, 1 }, failed.Output.Select(o => o.BaseObject));
            var usage = Host.Run("a", "tracecraft claim; $LASTEXITCODE");
            Assert.Equal(2, usage.Output.Last().BaseObject);
        }

        [Fact]
        public void Verbose_shows_each_request_and_never_the_secret()
        {
            Init("a");
            var result = Host.Run("a", "Request-TcStep -Id v -Verbose").Ok();
            Assert.Contains(result.Verbose, v => v.Contains("PUT(If-None-Match)") && v.Contains("/steps/v/claim.json") && v.Contains("ms"));
            if (this is S3CmdletTests)
                Assert.DoesNotContain(result.Verbose, v => v.Contains(TestS3Server.Current.SecretKey));
        }

        [Fact]
        public void A_background_heartbeat_keeps_the_agent_fresh_until_stopped()
        {
            Init("a");
            var first = (DateTimeOffset)Host.Run("a", "(Get-TcAgent -Id a).Heartbeat").Ok().Output.Single().BaseObject;
            Host.Run("a", "Start-TcHeartbeat -IntervalSeconds 1").Ok();
            System.Threading.Thread.Sleep(2500);
            Host.Run("a", "Stop-TcHeartbeat").Ok();
            var later = (DateTimeOffset)Host.Run("a", "(Get-TcAgent -Id a).Heartbeat").Ok().Output.Single().BaseObject;
            Assert.True(later > first.AddSeconds(1), $"heartbeat moved from {first:O} to {later:O}");
            System.Threading.Thread.Sleep(1500);
            var stopped = (DateTimeOffset)Host.Run("a", "(Get-TcAgent -Id a).Heartbeat").Ok().Output.Single().BaseObject;
            Assert.True(stopped - later < TimeSpan.FromSeconds(1), "no heartbeat after Stop-TcHeartbeat");
        }

        public void Dispose() => Host.Dispose();
    }

    public sealed class FolderCmdletTests : CmdletTests
    {
        protected override string InitScript => "Initialize-TcProject -Project $project -Agent $agent -Backend folder -Path ([System.IO.Path]::Combine($root, 'bucket'))";
    }

    public sealed class S3CmdletTests : CmdletTests
    {
        protected override string InitScript =>
            $"Initialize-TcProject -Project $project -Agent $agent -Endpoint '{TestS3Server.Current.Endpoint}' -Bucket '{TestS3Server.Current.Bucket}' " +
            $"-Credential ([pscredential]::new('{TestS3Server.Current.AccessKey}', [System.Net.NetworkCredential]::new('', '{TestS3Server.Current.SecretKey}').SecurePassword))";
    }
}
