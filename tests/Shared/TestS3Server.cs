using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace TraceCraft.Testing
{
    /// <summary>
    /// The real S3 server the tests run against: the one named by TRACECRAFT_TEST_S3_* (MinIO, AWS, R2, or the
    /// RGW build.ps1 started), else the project's own Ceph RGW, started once per test process and stopped when it
    /// exits. S3 tests are never skipped: without a server they fail with the reason.
    /// </summary>
    public sealed class TestS3Server
    {
        private static readonly Lazy<TestS3Server> Instance = new Lazy<TestS3Server>(Start);

        private TestS3Server(string endpoint, string accessKey, string secretKey, string bucket)
        {
            Endpoint = endpoint;
            AccessKey = accessKey;
            SecretKey = secretKey;
            Bucket = bucket;
        }

        public static TestS3Server Current => Instance.Value;

        public string Endpoint { get; }
        public string AccessKey { get; }
        public string SecretKey { get; }
        public string Bucket { get; }

        public static string RepositoryRoot
        {
            get
            {
                var dir = new DirectoryInfo(AppContext.BaseDirectory);
                while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TraceCraft.psd1"))) dir = dir.Parent;
                return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (TraceCraft.psd1) above " + AppContext.BaseDirectory);
            }
        }

        private static TestS3Server Start()
        {
            string? endpoint = Environment.GetEnvironmentVariable("TRACECRAFT_TEST_S3_ENDPOINT");
            if (!string.IsNullOrEmpty(endpoint))
                return new TestS3Server(endpoint!, Require("TRACECRAFT_TEST_S3_ACCESS_KEY"), Require("TRACECRAFT_TEST_S3_SECRET_KEY"), Require("TRACECRAFT_TEST_S3_BUCKET"));
            var server = Launch();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
            return server;
        }

        /// <summary>Where the project's own RGW keeps its files; null for a server named by the environment.</summary>
        public string? Directory { get; private set; }

        /// <summary>Starts a private Ceph RGW (for tests that break the server on purpose). Stop it with <see cref="Stop"/>.</summary>
        public static TestS3Server Launch()
        {
            string script = Path.Combine(RepositoryRoot, "tests", "s3", "start-rgw.sh");
            var start = new ProcessStartInfo("bash", $"\"{script}\"") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.Environment.Remove("TRACECRAFT_RGW_DIR");
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"No S3 server: tests/s3/start-rgw.sh failed (exit {process.ExitCode}):\n{errors.Result}");
            var values = output.Split('\n').Where(l => l.Contains('=')).Select(l => l.Split(new[] { '=' }, 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
            return new TestS3Server(values["TRACECRAFT_TEST_S3_ENDPOINT"], values["TRACECRAFT_TEST_S3_ACCESS_KEY"], values["TRACECRAFT_TEST_S3_SECRET_KEY"], values["TRACECRAFT_TEST_S3_BUCKET"])
            {
                Directory = values["TRACECRAFT_RGW_DIR"],
            };
        }

        /// <summary>Kills the gateway (as a crash), keeping the data; <see cref="StartGateway"/> brings it back.</summary>
        public void KillGateway() => Script("rgw-gateway.sh", "stop", Directory!);

        public void StartGateway() => Script("rgw-gateway.sh", "start", Directory!);

        public void Stop()
        {
            if (Directory is not null) Script("stop-rgw.sh", Directory);
        }

        private static void Script(string name, params string[] args)
        {
            var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(Path.Combine(RepositoryRoot, "tests", "s3", name));
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit(60000);
            if (process.ExitCode != 0) throw new InvalidOperationException($"{name} {string.Join(" ", args)} failed: {errors}");
        }

        private static string Require(string name) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"TRACECRAFT_TEST_S3_ENDPOINT is set but {name} is not.");

        /// <summary>A fresh name for a test's project or prefix, so runs and classes never collide.</summary>
        public static string UniqueName(string stem) => $"{stem}-{Guid.NewGuid():N}".Substring(0, stem.Length + 13);
    }
}
