using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading.Tasks;

using TraceCraft.Testing;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>
    /// The real S3 server the benchmark runs against: the one named by TRACECRAFT_TEST_S3_ENDPOINT (+ _ACCESS_KEY,
    /// _SECRET_KEY, _BUCKET), else the project's own Ceph RGW started with tests/s3/start-rgw.sh into a fresh folder
    /// and stopped (tests/s3/stop-rgw.sh) when the benchmark ends.
    /// </summary>
    public sealed class S3Server : IDisposable
    {
        private readonly TestS3Server _server;

        private S3Server(TestS3Server server, string description)
        {
            _server = server;
            Description = description;
        }

        public string Endpoint => _server.Endpoint;
        public string AccessKey => _server.AccessKey;
        public string SecretKey => _server.SecretKey;
        public string Bucket => _server.Bucket;
        /// <summary>How the server came to be ("started Ceph RGW in /tmp/..." or "given by TRACECRAFT_TEST_S3_ENDPOINT").</summary>
        public string Description { get; }
        public bool StartedHere => _server.Directory is not null;

        /// <summary>The server named by the environment, else the project's own RGW (the tests' helper starts and stops it).</summary>
        public static S3Server StartOrReuse(string repositoryRoot, Action<string> log)
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TRACECRAFT_TEST_S3_ENDPOINT")))
            {
                var given = TestS3Server.Current;
                log($"Using the S3 server at {given.Endpoint} (TRACECRAFT_TEST_S3_ENDPOINT)");
                return new S3Server(given, "given by TRACECRAFT_TEST_S3_ENDPOINT");
            }
            log("Starting Ceph RGW (tests/s3/start-rgw.sh)");
            var server = new S3Server(TestS3Server.Launch(), "Ceph RGW started by the benchmark (tests/s3/start-rgw.sh)");
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

        public void Dispose()
        {
            if (StartedHere) _server.Stop();
        }
    }
}
