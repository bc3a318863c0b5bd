using System;
using System.Linq;

namespace TraceCraft.Native.Tests.Infrastructure
{
    /// <summary>Where a test's agents keep their project: the <c>init</c> options and the location <c>init</c> reports.</summary>
    public abstract class StoreBackend
    {
        public abstract string[] InitArguments(TestWorkspace workspace);
        /// <summary>What <c>init</c> prints in parentheses after the agent.</summary>
        public abstract string Location(TestWorkspace workspace);
    }

    /// <summary>The local folder store: <c>--backend folder --path DIR</c>, no server.</summary>
    public sealed class FolderBackend : StoreBackend
    {
        public override string[] InitArguments(TestWorkspace workspace) => new[] { "--backend", "folder", "--path", workspace.StorePath };
        public override string Location(TestWorkspace workspace) => "folder " + workspace.StorePath;
    }

    /// <summary>The real S3 server named by TRACECRAFT_TEST_S3_* (Ceph RGW in build.ps1 -Test and CI).</summary>
    public sealed class S3Backend : StoreBackend
    {
        public S3Backend(S3TestServer server) => Server = server;
        public S3TestServer Server { get; }

        public override string[] InitArguments(TestWorkspace workspace) => new[]
        {
            "--endpoint", Server.Endpoint, "--bucket", Server.Bucket, "--access-key", Server.AccessKey, "--secret-key", Server.SecretKey,
        };

        public override string Location(TestWorkspace workspace) => $"s3://{Server.Bucket} at {Server.Endpoint}";
    }

    /// <summary>
    /// The S3 server for tests. Absent settings fail the test, never skip it: with CI=true that is mandatory, and
    /// locally a silent skip would hide that the S3 half of the suite did not run.
    /// </summary>
    public sealed class S3TestServer
    {
        private static readonly string[] Names =
        {
            "TRACECRAFT_TEST_S3_ENDPOINT", "TRACECRAFT_TEST_S3_ACCESS_KEY", "TRACECRAFT_TEST_S3_SECRET_KEY", "TRACECRAFT_TEST_S3_BUCKET",
        };

        private S3TestServer(string endpoint, string accessKey, string secretKey, string bucket)
        {
            Endpoint = endpoint;
            AccessKey = accessKey;
            SecretKey = secretKey;
            Bucket = bucket;
        }

        public string Endpoint { get; }
        public string AccessKey { get; }
        public string SecretKey { get; }
        public string Bucket { get; }

        public static S3TestServer Required()
        {
            var values = Names.Select(Environment.GetEnvironmentVariable).ToArray();
            var missing = Names.Where((_, i) => string.IsNullOrEmpty(values[i])).ToList();
            if (missing.Count > 0)
            {
                string ci = Environment.GetEnvironmentVariable("CI") == "true" ? " CI=true: the S3 tests are mandatory." : "";
                throw new InvalidOperationException(
                    $"No S3 test server: {string.Join(", ", missing)} not set.{ci} build.ps1 -Test starts one; by hand: " +
                    "set -a; eval \"$(bash tests/s3/start-rgw.sh /tmp/tcrgw-mine)\"; set +a  (stop: bash tests/s3/stop-rgw.sh /tmp/tcrgw-mine).");
            }
            return new S3TestServer(values[0]!, values[1]!, values[2]!, values[3]!);
        }
    }
}
