using System;
using System.Collections.Generic;
using System.Linq;

namespace TraceCraft.Bench
{
    /// <summary>The command line of the benchmark.</summary>
    public sealed class BenchOptions
    {
        public const string Usage = @"TraceCraft benchmark: claim contention, overhead, messaging, inbox scaling, barrier latency, lease takeover, fleet, flat costs.

  dotnet run -c Release --project bench/TraceCraft.Bench -- [options]

  --smoke             a few trials of every scenario, small N (under about a minute): for CI
  --out DIR           where <date>.json and <date>.svg go (default: bench/results; with --smoke a temp folder)
  --results-md FILE   the readable report (default: bench/RESULTS.md; with --smoke DIR/RESULTS.md)
  --only a,b          run only these scenarios: contention, overhead, cmdlets, messaging, inbox, barrier, lease, fleet, flat
                      (the result file is then <date>-<names>.json, beside a full run's <date>.json)
  --skip-cmdlets      skip the PowerShell cmdlet overhead (needs the built module: dotnet pwsh ./build.ps1)
  --no-folder         run on the S3 server only, not also on the folder store
  --note TEXT         a note on the conditions, shown in the report (e.g. 'shared machine')
  --report A.json[,B.json]  only regenerate the report (and A's chart) from result files: A is the main run; the
                      fleet and flat sections of B (a run of --only fleet,flat) are added with their own conditions

The S3 server: TRACECRAFT_TEST_S3_ENDPOINT (+ _ACCESS_KEY, _SECRET_KEY, _BUCKET) when set, else the project's
own Ceph RGW, started with tests/s3/start-rgw.sh and stopped at the end. Exit code 1 when an invariant failed.";

        public bool Smoke { get; private set; }
        public string? Out { get; private set; }
        public string? ResultsMarkdown { get; private set; }
        public HashSet<string>? Only { get; private set; }
        public bool SkipCmdlets { get; private set; }
        public bool NoFolder { get; private set; }
        public string? Note { get; private set; }
        public string? ReportFrom { get; private set; }
        public bool Help { get; private set; }

        public static BenchOptions Parse(string[] args)
        {
            var options = new BenchOptions();
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--smoke": options.Smoke = true; break;
                    case "--out": options.Out = Value(); break;
                    case "--results-md": options.ResultsMarkdown = Value(); break;
                    case "--only": options.Only = new HashSet<string>(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase); break;
                    case "--skip-cmdlets": options.SkipCmdlets = true; break;
                    case "--no-folder": options.NoFolder = true; break;
                    case "--note": options.Note = Value(); break;
                    case "--report": options.ReportFrom = Value(); break;
                    case "-h":
                    case "--help": options.Help = true; break;
                    default: throw new ArgumentException($"Unknown option '{args[i]}'.");
                }
            }
            return options;
        }

        public bool Runs(string scenario) => (Only is null || Only.Contains(scenario)) && !(SkipCmdlets && scenario == "cmdlets");

        public static string Quote(IEnumerable<string> args) => string.Join(" ", args.Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? "'" + a + "'" : a));
    }
}
