using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Report;
using TraceCraft.Bench.Results;
using TraceCraft.Bench.Scenarios;

namespace TraceCraft.Bench
{
    public static class Program
    {
        public static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            WriteIndented = false,
        };

        public static async Task<int> Main(string[] args)
        {
            BenchOptions options;
            try
            {
                options = BenchOptions.Parse(args);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine(BenchOptions.Usage);
                return 2;
            }
            if (options.Help)
            {
                Console.WriteLine(BenchOptions.Usage);
                return 0;
            }

            string root = RepositoryRoot.Find();
            if (options.ReportFrom is not null) return RegenerateReport(options, root);

            // 50 in-process agents: give the pool its threads up front instead of growing it slowly (see the report's method).
            ThreadPool.SetMinThreads(64, 64);
            var profile = options.Smoke ? BenchProfile.Smoke : BenchProfile.Full;
            string runId = Guid.NewGuid().ToString("N").Substring(0, 6);
            string scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tcbench-scratch-" + runId)).FullName;
            string outDir = Path.GetFullPath(options.Out ?? (options.Smoke ? Path.Combine(Path.GetTempPath(), "tcbench-smoke-" + runId) : Path.Combine(root, "bench", "results")));
            string mdPath = Path.GetFullPath(options.ResultsMarkdown ?? (options.Smoke ? Path.Combine(outDir, "RESULTS.md") : Path.Combine(root, "bench", "RESULTS.md")));

            var run = new BenchRun
            {
                Profile = profile.Name,
                Date = DateTime.UtcNow.ToString("yyyy-MM-dd"),
                StartedAt = DateTimeOffset.UtcNow,
                CommandLine = "dotnet run -c Release --project bench/TraceCraft.Bench --" + (args.Length > 0 ? " " + BenchOptions.Quote(args) : ""),
                GitCommit = GitCommit(root),
                Note = options.Note,
                Machine = MachineProbe.Describe(),
            };
            var total = Stopwatch.StartNew();
            Log($"TraceCraft benchmark, profile {profile.Name}, run {runId}; results to {outDir}");

            S3Server? server = null;
            ConsoleCancelEventHandler onCancel = (_, _) => server?.Dispose();
            Console.CancelKeyPress += onCancel;
            try
            {
                server = S3Server.StartOrReuse(root, Log);
                run.Server = new ServerInfo { Origin = server.Description, Endpoint = server.Endpoint, Version = server.Version() };
                var backends = new List<BenchBackend> { BenchBackend.S3(server, scratch) };
                if (!options.NoFolder) backends.Add(BenchBackend.Folder(scratch));
                var context = new BenchContext(profile, backends, run, root, scratch, runId);

                var load = new LoadSampler(TimeSpan.FromSeconds(5));
                var scenarios = new IScenario[]
                {
                    new ClaimContentionScenario(),
                    new OverheadScenario(),
                    new CmdletOverheadScenario(),
                    new MessagingIntegrityScenario(),
                    new InboxScalingScenario(),
                    new BarrierLatencyScenario(),
                    new LeaseTakeoverScenario(),
                    new FleetScenario(),
                    new FlatCostScenario(),
                };
                foreach (var scenario in scenarios.Where(s => options.Runs(s.Name)))
                {
                    var watch = Stopwatch.StartNew();
                    Log($"--- {scenario.Name}");
                    try
                    {
                        await scenario.RunAsync(context).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        context.Fail($"{scenario.Name} stopped with {e.GetType().Name}: {e.Message}");
                        Console.Error.WriteLine(e);
                    }
                    run.ScenarioSeconds[scenario.Name] = Math.Round(watch.Elapsed.TotalSeconds, 1);
                }
                load.Dispose();
                run.LoadAverage = load.Samples.Select(s => new[] { s.Seconds, s.Load }).ToList();
            }
            catch (Exception e) when (server is null)
            {
                run.Failures.Add("No S3 server: " + e.Message);
                Console.Error.WriteLine(e.Message);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                server?.Dispose();
            }
            run.FinishedAt = DateTimeOffset.UtcNow;

            Directory.CreateDirectory(outDir);
            // A run of some scenarios only (--only) gets its own file, so it never replaces a full run's results of that day.
            string stem = run.Date + (options.Smoke ? "-smoke" : "") + (options.Only is null ? "" : "-" + string.Join("-", options.Only.OrderBy(n => n, StringComparer.Ordinal)));
            string jsonPath = Path.Combine(outDir, stem + ".json");
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(run, Json) + "\n");
            WriteReport(new[] { jsonPath }, mdPath);
            TryDelete(scratch);

            Log($"Done in {total.Elapsed.TotalSeconds:0} s. Results: {jsonPath}; report: {mdPath}");
            if (run.Failures.Count > 0)
            {
                Console.Error.WriteLine($"{run.Failures.Count} failure(s):");
                foreach (var f in run.Failures) Console.Error.WriteLine("  " + f);
                return 1;
            }
            return 0;
        }

        /// <summary>
        /// Reads the result file(s) back and writes the report and chart from them alone: what the report shows is what the
        /// files hold. The first file is the main run (its chart, conditions and sections); the fleet and flat-cost
        /// sections of the others (a run of `--only fleet,flat`) are added with their own conditions.
        /// </summary>
        private static void WriteReport(IReadOnlyList<string> jsonPaths, string mdPath)
        {
            var runs = jsonPaths.Select(p => JsonSerializer.Deserialize<BenchRun>(File.ReadAllText(p), Json) ?? throw new InvalidDataException($"{p} holds no results.")).ToList();
            var run = runs[0];
            string jsonPath = jsonPaths[0];
            string mdDir = Path.GetDirectoryName(mdPath)!;
            Directory.CreateDirectory(mdDir);
            string root = RepositoryRootOr(mdDir);
            string? link = null;
            // The chart shows contention, barrier and inbox: a run without them (e.g. --only fleet) gets none.
            if (run.Contention is not null || run.Barrier is not null || run.Inbox is not null)
            {
                string svgPath = Path.ChangeExtension(jsonPath, ".svg");
                File.WriteAllText(svgPath, SvgChart.Generate(run));
                link = Path.GetRelativePath(mdDir, svgPath).Replace('\\', '/');
            }
            string Source(string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
            var more = runs.Skip(1).Select((r, i) => (r, Source(jsonPaths[i + 1]))).ToList();
            File.WriteAllText(mdPath, MarkdownReport.Generate(run, Source(jsonPath), link, more));
        }

        private static int RegenerateReport(BenchOptions options, string root)
        {
            var jsonPaths = options.ReportFrom!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Path.GetFullPath).ToList();
            string mdPath = Path.GetFullPath(options.ResultsMarkdown ?? Path.Combine(root, "bench", "RESULTS.md"));
            WriteReport(jsonPaths, mdPath);
            Log($"Report written: {mdPath}");
            return 0;
        }

        private static string RepositoryRootOr(string fallback)
        {
            try { return RepositoryRoot.Find(); } catch (InvalidOperationException) { return fallback; }
        }

        private static string? GitCommit(string root)
        {
            string? head = Command.TryRun("git", "-C", root, "rev-parse", "--short", "HEAD")?.Trim();
            if (string.IsNullOrEmpty(head) || head.Contains(' ')) return null;
            string? status = Command.TryRun("git", "-C", root, "status", "--porcelain", "--untracked-files=no");
            return string.IsNullOrWhiteSpace(status) ? head : head + "-dirty";
        }

        private static void TryDelete(string folder)
        {
            try { Directory.Delete(folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
    }
}
