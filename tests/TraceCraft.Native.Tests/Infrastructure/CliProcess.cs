using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit.Sdk;

namespace TraceCraft.Native.Tests.Infrastructure
{
    /// <summary>
    /// One running <c>tracecraft</c> child process: stdin closed at once, stdout and stderr collected as they come
    /// (so a test can wait for a progress line), a deadline after which it is killed and the test fails.
    /// </summary>
    public sealed class CliProcess : IDisposable
    {
        private readonly Process _process;
        private readonly IReadOnlyList<string> _arguments;
        private readonly StringBuilder _out = new StringBuilder();
        private readonly StringBuilder _error = new StringBuilder();
        private readonly Task _pumps;
        private readonly Stopwatch _watch;

        private CliProcess(Process process, IReadOnlyList<string> arguments)
        {
            _process = process;
            _arguments = arguments;
            _watch = Stopwatch.StartNew();
            _process.StandardInput.Close();
            _pumps = Task.WhenAll(Pump(process.StandardOutput, _out), Pump(process.StandardError, _error));
        }

        public int Id => _process.Id;

        /// <summary>Starts the executable in <paramref name="workingDirectory"/> with exactly <paramref name="environment"/>.</summary>
        public static CliProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> arguments)
        {
            var info = ChildProcess.StartInfo(NativeExecutable.FilePath, workingDirectory, arguments, environment);
            var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
            return new CliProcess(process, arguments);
        }

        /// <summary>Current text on stderr (the process may still be running).</summary>
        public string ErrorSoFar
        {
            get { lock (_error) return _error.ToString(); }
        }

        /// <summary>Waits until stderr contains <paramref name="text"/>; fails when the process ends or the time is up first.</summary>
        public async Task WaitForErrorTextAsync(string text, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!ErrorSoFar.Contains(text, StringComparison.Ordinal))
            {
                if (_process.HasExited)
                {
                    var result = await WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                    throw result.Fail($"the process ended before '{text}' appeared on stderr");
                }
                if (DateTime.UtcNow > deadline)
                    throw new XunitException($"'{text}' did not appear on stderr within {timeout.TotalSeconds:0} s.\nstderr so far:\n{ErrorSoFar}");
                await Task.Delay(20).ConfigureAwait(false);
            }
        }

        /// <summary>Waits for the exit (and the end of both streams); kills the process and fails after <paramref name="timeout"/>.</summary>
        public async Task<CliResult> WaitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
                await _pumps.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill();
                string partial;
                lock (_out) lock (_error) partial = $"stdout so far:\n{_out}\nstderr so far:\n{_error}";
                throw new XunitException($"tracecraft {string.Join(" ", _arguments)} did not finish within {timeout.TotalSeconds:0} s (killed).\n{partial}");
            }
            _watch.Stop();
            string stdout, stderr;
            lock (_out) stdout = _out.ToString();
            lock (_error) stderr = _error.ToString();
            return new CliResult(_arguments, _process.ExitCode, stdout, stderr, _watch.Elapsed);
        }

        /// <summary>Sends SIGINT (what Ctrl+C sends) to this process only.</summary>
        public void Interrupt()
        {
            if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("SIGINT needs a POSIX system.");
            if (SysKill(_process.Id, SigInt) != 0)
                throw new InvalidOperationException($"kill({_process.Id}, SIGINT) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }

        private void Kill()
        {
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        private static async Task Pump(StreamReader reader, StringBuilder sink)
        {
            var buffer = new char[4096];
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
                lock (sink) sink.Append(buffer, 0, read);
        }

        private const int SigInt = 2;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int SysKill(int pid, int signal);
    }
}
