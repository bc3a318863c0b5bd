using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.PowerShell.Tests
{
    /// <summary>A full run on S3, failures included, with every stream captured: the secret key appears nowhere.</summary>
    public sealed class SecretTests : IDisposable
    {
        private readonly HostedModule _host = new HostedModule();

        [Fact]
        public void The_secret_key_never_appears_in_any_stream_error_or_object()
        {
            var server = TestS3Server.Current;
            string project = TestS3Server.UniqueName("secret");
            var vars = new Dictionary<string, object?> { ["p"] = project, ["e"] = server.Endpoint, ["b"] = server.Bucket, ["k"] = server.AccessKey, ["s"] = server.SecretKey, ["root"] = _host.Root };
            string script = @"
                $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
                $cred = [pscredential]::new($k, [System.Net.NetworkCredential]::new('', $s).SecurePassword)
                Initialize-TcProject -Project $p -Agent a -Endpoint $e -Bucket $b -Credential $cred
                Request-TcStep -Id s -LeaseSeconds 60
                Request-TcStep -Id s
                Set-TcMemory -Key k -Value v
                Get-TcMemory -Key missing
                Send-TcMessage -To a -Text hi
                Get-TcInbox
                Complete-TcStep -Id s -Note done
                Wait-TcStep -Id s -Timeout 5
                Get-TcStep; Get-TcAgent; Get-TcHandoff -Id s
                tracecraft claim s
                tracecraft memory get k
                tracecraft agents
                $bad = [pscredential]::new($k, [System.Net.NetworkCredential]::new('', ($s + 'x')).SecurePassword)
                Initialize-TcProject -Project $p -Agent b -Endpoint $e -Bucket $b -Credential $bad
                Get-TcStep
                Initialize-TcProject -Project $p -Agent c -Endpoint 'http://127.0.0.1:1' -Bucket $b -Credential $cred
                Get-TcStep
            ";
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _host.Runspace;
            ps.AddScript("$ExecutionContext.SessionState.Path.SetLocation($args[0]) | Out-Null").AddArgument(_host.FolderOf("a"));
            ps.Invoke();
            ps.Commands.Clear();
            foreach (var v in vars) _host.Runspace.SessionStateProxy.SetVariable(v.Key, v.Value);
            ps.AddScript(script);
            var output = ps.Invoke();

            var text = new List<string>();
            text.AddRange(output.Select(o => o?.ToString() ?? ""));
            text.AddRange(output.SelectMany(o => o.Properties.Where(p => p.IsGettable).Select(p => { try { return p.Value?.ToString() ?? ""; } catch (GetValueException) { return ""; } })));
            text.AddRange(ps.Streams.Error.Select(e => e.ToString() + e.Exception + e.ErrorDetails + e.TargetObject));
            text.AddRange(ps.Streams.Warning.Select(w => w.Message));
            text.AddRange(ps.Streams.Verbose.Select(v => v.Message));
            text.AddRange(ps.Streams.Debug.Select(d => d.Message));
            text.AddRange(ps.Streams.Information.Select(i => i.ToString()));
            Assert.NotEmpty(ps.Streams.Verbose);
            Assert.Contains(ps.Streams.Error, e => e.FullyQualifiedErrorId.StartsWith("AccessDenied"));
            Assert.Contains(ps.Streams.Error, e => e.FullyQualifiedErrorId.StartsWith("StepAlreadyClaimed"));
            foreach (var line in text) Assert.DoesNotContain(server.SecretKey, line);
            // The config file holds it, readable only by its owner.
            string config = Path.Combine(_host.FolderOf("a"), ".tracecraft.json");
            Assert.Contains(server.SecretKey, File.ReadAllText(config));
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
            Assert.Contains(".tracecraft.json", File.ReadAllText(Path.Combine(_host.FolderOf("a"), ".gitignore")));
        }

        public void Dispose() => _host.Dispose();
    }
}
