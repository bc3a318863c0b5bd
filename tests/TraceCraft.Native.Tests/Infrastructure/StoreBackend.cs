using TraceCraft.Testing;

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

    /// <summary>
    /// The real S3 server (tests/Shared/TestS3Server.cs): the one named by TRACECRAFT_TEST_S3_* (Ceph RGW in
    /// build.ps1 -Test and CI), else the project's own RGW. Never skipped: without a server the test fails.
    /// </summary>
    public sealed class S3Backend : StoreBackend
    {
        public S3Backend(TestS3Server server) => Server = server;
        public TestS3Server Server { get; }

        public override string[] InitArguments(TestWorkspace workspace) => new[]
        {
            "--endpoint", Server.Endpoint, "--bucket", Server.Bucket, "--access-key", Server.AccessKey, "--secret-key", Server.SecretKey,
        };

        public override string Location(TestWorkspace workspace) => $"s3://{Server.Bucket} at {Server.Endpoint}";
    }
}
