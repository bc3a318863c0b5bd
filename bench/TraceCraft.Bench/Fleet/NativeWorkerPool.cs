using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace TraceCraft.Bench.Fleet
{
    /// <summary>
    /// Worker processes of the fleet: each a bash loop (fleet-worker.sh) running the native <c>tracecraft</c>, one process
    /// per command. Slot i is agent <c>w&lt;i&gt;</c> with its own log, state file and TRACECRAFT_HOME; a killed slot is
    /// restarted with the same agent, log and state file (so it takes its claim back, see the script).
    /// </summary>
    public sealed class NativeWorkerPool : IDisposable
    {
        private readonly string _exe;
        private readonly string _script;
        private readonly string _config;
        private readonly string _folder;
        private readonly double _leaseSeconds;
        private readonly double _idleSeconds;
        private readonly Process?[] _processes;

        public NativeWorkerPool(string exe, string script, string config, string folder, int workers, double leaseSeconds, double idleSeconds)
        {
            _exe = exe;
            _script = script;
            _config = config;
            _folder = Directory.CreateDirectory(folder).FullName;
            _leaseSeconds = leaseSeconds;
            _idleSeconds = idleSeconds;
            _processes = new Process?[workers];
            DoneFile = Path.Combine(_folder, "done");
        }

        public int Count => _processes.Length;
        public string DoneFile { get; }

        public static string Agent(int slot) => $"w{slot:00}";

        public string LogPath(int slot) => Path.Combine(_folder, Agent(slot) + ".log");

        public void StartAll()
        {
            for (int i = 0; i < _processes.Length; i++) Start(i);
        }

        public void Start(int slot)
        {
            string home = Directory.CreateDirectory(Path.Combine(_folder, "home", Agent(slot))).FullName;
            // setsid: the worker leads its own process group, so one kill -9 of the group takes it and its children at once.
            var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "bash", _script, _exe, _leaseSeconds.ToString(CultureInfo.InvariantCulture), LogPath(slot), Path.Combine(_folder, Agent(slot) + ".state"), DoneFile, _idleSeconds.ToString("0.0##", CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(a);
            // The workers get the project's config file, nothing of the benchmark's own environment about the test server.
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("TRACECRAFT_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
            start.Environment["TRACECRAFT_CONFIG"] = _config;
            start.Environment["TRACECRAFT_AGENT"] = Agent(slot);
            start.Environment["TRACECRAFT_HOME"] = home;
            start.Environment["LC_ALL"] = "C"; // $EPOCHREALTIME with a decimal point
            var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _processes[slot] = process;
        }

        /// <summary>kill -9 of the worker's process group: the bash loop and whatever it runs (the sleep of its work, or a tracecraft command).</summary>
        public void Kill(int slot)
        {
            var process = _processes[slot];
            if (process is null) return;
            if (!process.HasExited) Infrastructure.Command.TryRun("kill", "-KILL", "--", "-" + process.Id.ToString(CultureInfo.InvariantCulture));
            try { if (!process.WaitForExit(2000)) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(5000);
            process.Dispose();
            _processes[slot] = null;
        }

        public List<FleetEvent> ReadEvents(int slot) => FleetEvent.ReadLog(Agent(slot), LogPath(slot));

        public List<FleetEvent> ReadAllEvents() => Enumerable.Range(0, Count).SelectMany(ReadEvents).ToList();

        /// <summary>Tells the workers to stop after their current command, waits for them, then kills what is left.</summary>
        public void Stop(TimeSpan grace)
        {
            File.WriteAllText(DoneFile, "done\n");
            var until = DateTime.UtcNow + grace;
            for (int i = 0; i < _processes.Length; i++)
            {
                var p = _processes[i];
                if (p is null) continue;
                int left = (int)Math.Max(0, (until - DateTime.UtcNow).TotalMilliseconds);
                if (!p.WaitForExit(left)) Kill(i);
            }
        }

        public void Dispose()
        {
            for (int i = 0; i < _processes.Length; i++) Kill(i);
        }
    }
}
