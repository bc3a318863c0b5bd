using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Results;
using TraceCraft.Config;

namespace TraceCraft.Bench.Scenarios
{
    /// <summary>
    /// 2b. Cmdlet overhead. The same three operations as <see cref="OverheadScenario"/> through the built module
    /// (out/TraceCraft/&lt;version&gt;/TraceCraft.psd1, never referenced as a project) in an in-process runspace
    /// (InitialSessionState.CreateDefault2() + ImportPSModule): Request-TcStep -Id x, Set-TcMemory -Key k -Value v,
    /// Get-TcMemory -Key k, in a temp folder holding a .tracecraft.json written by Core's ConfigLoader. The runspace
    /// lives in TraceCraft.Bench.PwshHost, a process with no TraceCraft.Core of its own (in this process the module's
    /// cmdlets would bind to our Core and fail). The report divides by the engine's figures.
    /// </summary>
    public sealed class CmdletOverheadScenario : IScenario
    {
        public string Name => "cmdlets";

        public async Task RunAsync(BenchContext context)
        {
            var result = context.Run.Overhead ??= new OverheadResult();
            string modulePath = FindModule(context.RepositoryRoot);
            result.ModulePath = Path.GetRelativePath(context.RepositoryRoot, modulePath).Replace('\\', '/');
            string host = Path.Combine(AppContext.BaseDirectory, "TraceCraft.Bench.PwshHost.dll");
            int samples = context.Profile.CmdletSamples;
            int counted = Math.Min(20, Math.Max(3, samples));

            foreach (var backend in context.Backends)
            {
                string folder = Directory.CreateDirectory(Path.Combine(backend.Scratch, "pwsh-agent")).FullName;
                new ConfigLoader(folder).Save(backend.ConfigFor(context.Project("cmdlets-" + backend.Name), "pwsh-agent"));
                string output = Path.Combine(backend.Scratch, "pwsh-result.json");

                var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in new[] { host, modulePath, folder, context.Profile.CmdletWarmup.ToString(), samples.ToString(), counted.ToString(), output })
                    start.ArgumentList.Add(a);
                // The module's caches and heartbeat markers go to the scratch folder, not ~/.tracecraft.
                start.Environment["TRACECRAFT_HOME"] = Path.Combine(backend.Scratch, "pwsh-home");
                start.Environment.Remove("TRACECRAFT_AGENT");
                start.Environment.Remove("TRACECRAFT_CONFIG");
                using var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start dotnet.");
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync().ConfigureAwait(false);
                if (process.ExitCode != 0)
                    throw new InvalidOperationException($"The PowerShell host failed (exit {process.ExitCode}): {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");

                using var json = JsonDocument.Parse(File.ReadAllBytes(output));
                var root = json.RootElement;
                result.RunspaceOpenMs[backend.Name] = root.GetProperty("runspaceOpenMs").GetDouble();
                foreach (var s in root.GetProperty("series").EnumerateArray())
                {
                    result.Series.Add(new OverheadSeries
                    {
                        Backend = backend.Name,
                        Operation = s.GetProperty("operation").GetString()!,
                        Path = "cmdlet",
                        RequestsPerOperation = s.GetProperty("requestsPerCall").GetDouble(),
                        SamplesMs = s.GetProperty("samplesMs").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
                    });
                }
                foreach (var t in root.GetProperty("traces").EnumerateObject())
                    result.CmdletRequestTrace[$"{backend.Name} {t.Name}"] = t.Value.EnumerateArray().Select(v => v.GetString()!).ToList();
                context.Log($"cmdlets {backend.Name}: {samples} samples per cmdlet (runspace with the module opened in {result.RunspaceOpenMs[backend.Name]:0} ms)");
            }
        }

        /// <summary>TRACECRAFT_MODULE_PATH, else the one out/TraceCraft/&lt;version&gt;/TraceCraft.psd1 that build.ps1 lays out.</summary>
        public static string FindModule(string repositoryRoot)
        {
            string? path = Environment.GetEnvironmentVariable("TRACECRAFT_MODULE_PATH");
            if (!string.IsNullOrEmpty(path)) return Path.GetFullPath(path);
            string root = Path.Combine(repositoryRoot, "out", "TraceCraft");
            var found = Directory.Exists(root) ? Directory.GetFiles(root, "TraceCraft.psd1", SearchOption.AllDirectories) : Array.Empty<string>();
            return found.Length == 1
                ? found[0]
                : throw new InvalidOperationException($"The built module was not found under {root}: run `dotnet tool restore && dotnet pwsh ./build.ps1` first (or set TRACECRAFT_MODULE_PATH), or pass --skip-cmdlets.");
        }
    }
}
