using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using TraceCraft.Testing;

namespace TraceCraft.PowerShell.Tests
{
    /// <summary>
    /// A runspace from InitialSessionState.CreateDefault2() with the built module imported (TRACECRAFT_MODULE_PATH,
    /// else out/TraceCraft/&lt;version&gt;/TraceCraft.psd1). Each agent works in its own folder with its own config.
    /// </summary>
    public sealed class HostedModule : IDisposable
    {
        static HostedModule()
        {
            // Process-wide, so set once: caches and heartbeat markers of every test go to a scratch folder.
            Environment.SetEnvironmentVariable("TRACECRAFT_HOME", Path.Combine(Path.GetTempPath(), "tchosted-home-" + Environment.ProcessId));
        }

        public HostedModule()
        {
            var iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(ModulePath);
            Runspace = RunspaceFactory.CreateRunspace(iss);
            Runspace.Open();
            Root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tchosted-" + Guid.NewGuid().ToString("N").Substring(0, 10))).FullName;
        }

        public static string ModulePath
        {
            get
            {
                string? path = Environment.GetEnvironmentVariable("TRACECRAFT_MODULE_PATH");
                if (!string.IsNullOrEmpty(path)) return path!;
                var found = Directory.GetFiles(Path.Combine(TestS3Server.RepositoryRoot, "out", "TraceCraft"), "TraceCraft.psd1", SearchOption.AllDirectories);
                return found.Length == 1 ? found[0] : throw new InvalidOperationException("Build the module first (dotnet pwsh ./build.ps1), or set TRACECRAFT_MODULE_PATH.");
            }
        }

        public Runspace Runspace { get; }
        public string Root { get; }

        /// <summary>The folder of an agent (created on first use).</summary>
        public string FolderOf(string agent) => Directory.CreateDirectory(Path.Combine(Root, agent)).FullName;

        /// <summary>Runs a script as an agent (in its folder); returns the output and the non-terminating errors.</summary>
        public Result Run(string agent, string script, Dictionary<string, object?>? variables = null)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = Runspace;
            ps.AddScript("param($__folder) $ExecutionContext.SessionState.Path.SetLocation($__folder) | Out-Null").AddArgument(FolderOf(agent));
            ps.Invoke();
            ps.Commands.Clear();
            if (variables is not null)
                foreach (var v in variables) Runspace.SessionStateProxy.SetVariable(v.Key, v.Value);
            ps.AddScript(script);
            Collection<PSObject> output;
            try
            {
                output = ps.Invoke();
            }
            catch (RuntimeException e)
            {
                return new Result(new List<PSObject>(), ps.Streams.Error.ToList(), e.ErrorRecord, ps.Streams.Warning.Select(w => w.Message).ToList(), ps.Streams.Verbose.Select(v => v.Message).ToList()) { Progress = ps.Streams.Progress.ToList() };
            }
            return new Result(output.ToList(), ps.Streams.Error.ToList(), null, ps.Streams.Warning.Select(w => w.Message).ToList(), ps.Streams.Verbose.Select(v => v.Message).ToList()) { Progress = ps.Streams.Progress.ToList() };
        }

        public sealed record Result(List<PSObject> Output, List<ErrorRecord> Errors, ErrorRecord? Terminating, List<string> Warnings, List<string> Verbose)
        {
            public List<ProgressRecord> Progress { get; init; } = new List<ProgressRecord>();
            public IEnumerable<ErrorRecord> AllErrors => Terminating is null ? Errors : Errors.Append(Terminating);
            public string ErrorIds => string.Join(", ", AllErrors.Select(e => e.FullyQualifiedErrorId));

            /// <summary>Fails with the errors when there were any.</summary>
            public Result Ok()
            {
                if (AllErrors.Any()) throw new InvalidOperationException("Unexpected errors: " + string.Join("; ", AllErrors.Select(e => $"{e.FullyQualifiedErrorId}: {e.Exception.Message}")));
                return this;
            }
        }

        public void Dispose()
        {
            Runspace.Dispose();
            try { Directory.Delete(Root, true); } catch (IOException) { }
        }
    }
}
