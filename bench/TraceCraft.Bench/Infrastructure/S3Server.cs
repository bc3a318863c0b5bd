using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>
    /// The real S3 server the benchmark runs against: the one named by TRACECRAFT_TEST_S3_ENDPOINT (+ _ACCESS_KEY,
    /// _SECRET_KEY, _BUCKET), else the project's own Ceph RGW started with tests/s3/start-rgw.sh into a fresh folder
    /// and stopped (tests/s3/stop-rgw.sh) when the benchmark ends.
    /// </summary>
    public sealed class S3Server : IDisposable
    {
        private readonly string _repositoryRoot;
        private string? _startedDir;

        private S3Server(string repositoryRoot, string endpoint, string accessKey, string secretKey, string bucket, string? startedDir, string description)
        {
            _repositoryRoot = repositoryRoot;
            Endpoint = endpoint;
            AccessKey = accessKey;
            SecretKey = secretKey;
            Bucket = bucket;
            _startedDir = startedDir;
            Description = description;
        }

        public string Endpoint { get; }
        public string AccessKey { get; }
        public string SecretKey { get; }
        public string Bucket { get; }
        /// <summary>How the server came to be ("started Ceph RGW in /tmp/..." or "given by TRACECRAFT_TEST_S3_ENDPOINT").</summary>
        public string Description { get; }
        public bool StartedHere => _startedDir is not null;

        public static S3Server StartOrReuse(string repositoryRoot, Action<string> log)
        {
            string? endpoint = Environment.GetEnvironmentVariable("TRACECRAFT_TEST_S3_ENDPOINT");
            if (!string.IsNullOrEmpty(endpoint))
            {
                log($"Using the S3 server at {endpoint} (TRACECRAFT_TEST_S3_ENDPOINT)");
                return new S3Server(repositoryRoot, endpoint, Require("TRACECRAFT_TEST_S3_ACCESS_KEY"), Require("TRACECRAFT_TEST_S3_SECRET_KEY"),
                    Require("TRACECRAFT_TEST_S3_BUCKET"), null, "given by TRACECRAFT_TEST_S3_ENDPOINT");
            }

            // A short path: start-rgw.sh limits it to 72 characters (unix socket paths).
            string dir = Path.Combine("/tmp", "tcbench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            string script = Path.Combine(repositoryRoot, "tests", "s3", "start-rgw.sh");
            log($"Starting Ceph RGW: bash {script} {dir}");
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(dir);
            start.Environment.Remove("TRACECRAFT_RGW_DIR");
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot run bash.");
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"tests/s3/start-rgw.sh failed (exit {process.ExitCode}):\n{errors.Result}");
            var values = output.Split('\n').Where(l => l.Contains('=')).Select(l => l.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
            var server = new S3Server(repositoryRoot, values["TRACECRAFT_TEST_S3_ENDPOINT"], values["TRACECRAFT_TEST_S3_ACCESS_KEY"],
                values["TRACECRAFT_TEST_S3_SECRET_KEY"], values["TRACECRAFT_TEST_S3_BUCKET"], values["TRACECRAFT_RGW_DIR"], "Ceph RGW started by the benchmark (tests/s3/start-rgw.sh)");
            log($"Ceph RGW ready at {server.Endpoint}");
            return server;
        }

        /// <summary>The server's version: `radosgw --version` for the RGW on this machine, plus the HTTP Server header it answers with.</summary>
        public string Version()
        {
            var parts = new List<string>();
            if (StartedHere || Endpoint.Contains("127.0.0.1", StringComparison.Ordinal) || Endpoint.Contains("localhost", StringComparison.Ordinal))
            {
                string? rgw = Command.TryRun("radosgw", "--version");
                if (!string.IsNullOrWhiteSpace(rgw)) parts.Add(rgw!.Trim());
            }
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, Endpoint));
                if (response.Headers.Server.Count > 0) parts.Add("HTTP Server: " + response.Headers.Server.ToString());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            return parts.Count == 0 ? "unknown" : string.Join("; ", parts);
        }

        private static string Require(string name) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"TRACECRAFT_TEST_S3_ENDPOINT is set but {name} is not.");

        public void Dispose()
        {
            if (_startedDir is null) return;
            string dir = _startedDir;
            _startedDir = null;
            var stop = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            stop.ArgumentList.Add(Path.Combine(_repositoryRoot, "tests", "s3", "stop-rgw.sh"));
            stop.ArgumentList.Add(dir);
            using var process = Process.Start(stop);
            process?.WaitForExit(60000);
        }
    }
}
