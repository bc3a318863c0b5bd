using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Text.Json;

namespace TraceCraft.Bench.PwshHost
{
    /// <summary>
    /// Times TraceCraft cmdlets in an in-process runspace: InitialSessionState.CreateDefault2() + ImportPSModule of the
    /// built module, the runspace's location set to a folder holding .tracecraft.json. Calls Request-TcStep -Id x,
    /// Set-TcMemory -Key k -Value v and Get-TcMemory -Key k in turn (warm-up calls first, not kept), then a few more of
    /// each with -Verbose to count their store requests (one verbose line "TraceCraft ..." per request).
    ///
    ///   TraceCraft.Bench.PwshHost MODULE_PSD1 FOLDER WARMUP SAMPLES COUNTED RESULT_JSON
    /// </summary>
    public static class Program
    {
        private static readonly (string Operation, string Command)[] Operations =
        {
            ("claim", "Request-TcStep"),
            ("memory set", "Set-TcMemory"),
            ("memory get", "Get-TcMemory"),
        };

        public static int Main(string[] args)
        {
            if (args.Length != 6)
            {
                Console.Error.WriteLine("usage: TraceCraft.Bench.PwshHost MODULE_PSD1 FOLDER WARMUP SAMPLES COUNTED RESULT_JSON");
                return 2;
            }
            string module = args[0], folder = args[1], output = args[5];
            int warmup = int.Parse(args[2], CultureInfo.InvariantCulture);
            int samples = int.Parse(args[3], CultureInfo.InvariantCulture);
            int counted = int.Parse(args[4], CultureInfo.InvariantCulture);
            try
            {
                long opening = Stopwatch.GetTimestamp();
                var iss = InitialSessionState.CreateDefault2();
                iss.ImportPSModule(module);
                using var runspace = RunspaceFactory.CreateRunspace(iss);
                runspace.Open();
                // Set-Location lives in a module this bare host does not ship; the session state API does the same.
                runspace.SessionStateProxy.Path.SetLocation(folder);
                double openMs = Elapsed(opening);

                using var shell = System.Management.Automation.PowerShell.Create();
                shell.Runspace = runspace;
                var timings = Operations.ToDictionary(o => o.Operation, _ => new List<double>());
                for (int i = 0; i < warmup + samples; i++)
                {
                    foreach (var (operation, command) in Operations)
                    {
                        long start = Stopwatch.GetTimestamp();
                        Invoke(shell, command, i, verbose: false);
                        double ms = Elapsed(start);
                        if (i >= warmup) timings[operation].Add(ms);
                    }
                }

                var requestsPerCall = new Dictionary<string, double>();
                var traces = new Dictionary<string, List<string>>();
                foreach (var (operation, command) in Operations)
                {
                    int lines = 0;
                    for (int i = 0; i < counted; i++)
                    {
                        var requests = Invoke(shell, command, 1_000_000 + i, verbose: true).Where(v => v.StartsWith("TraceCraft ", StringComparison.Ordinal)).ToList();
                        if (i == 0) traces[command] = requests;
                        lines += requests.Count;
                    }
                    requestsPerCall[operation] = Math.Round(lines / (double)counted, 3);
                }

                var result = new
                {
                    runspaceOpenMs = openMs,
                    series = Operations.Select(o => new { operation = o.Operation, command = o.Command, requestsPerCall = requestsPerCall[o.Operation], samplesMs = timings[o.Operation] }),
                    traces,
                };
                File.WriteAllText(output, JsonSerializer.Serialize(result));
                return 0;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine(e);
                return 1;
            }
        }

        /// <summary>Runs one cmdlet call; throws with its errors if it wrote any. Returns its verbose messages.</summary>
        private static List<string> Invoke(System.Management.Automation.PowerShell shell, string command, int i, bool verbose)
        {
            shell.Commands.Clear();
            shell.Streams.ClearStreams();
            shell.AddCommand(command);
            switch (command)
            {
                case "Request-TcStep": shell.AddParameter("Id", $"pwsh-{i}"); break;
                case "Set-TcMemory": shell.AddParameter("Key", "bench.pwsh").AddParameter("Value", $"value {i}"); break;
                case "Get-TcMemory": shell.AddParameter("Key", "bench.pwsh"); break;
            }
            if (verbose) shell.AddParameter("Verbose", true);
            shell.Invoke();
            if (shell.HadErrors || shell.Streams.Error.Count > 0)
                throw new InvalidOperationException($"{command} failed: " + string.Join("; ", shell.Streams.Error.Select(e => $"{e.FullyQualifiedErrorId}: {e.Exception.Message}")));
            return shell.Streams.Verbose.Select(v => v.Message).ToList();
        }

        private static double Elapsed(long start) => Math.Round((Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency, 3);
    }
}
