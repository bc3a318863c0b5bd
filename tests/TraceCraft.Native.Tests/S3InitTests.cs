using System;
using System.IO;
using System.Threading.Tasks;
using TraceCraft.Native.Tests.Infrastructure;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Native.Tests
{
    /// <summary><c>init</c> against the real S3 server: the secret key never appears in any output, even on failure.</summary>
    public sealed class S3InitTests : IDisposable
    {
        private readonly TestS3Server _server = TestS3Server.Current;
        private readonly TestWorkspace _workspace = new TestWorkspace();

        public void Dispose() => _workspace.Dispose();

        private Task<CliResult> InitAsync(string agent, string accessKey, string secretKey, string? bucket = null) =>
            _workspace.RunAsync(agent, "init", "--project", _workspace.Project, "--agent", agent,
                "--endpoint", _server.Endpoint, "--bucket", bucket ?? _server.Bucket, "--access-key", accessKey, "--secret-key", secretKey);

        private void AssertNoSecret(CliResult result, string secret)
        {
            if (result.StandardOutput.Contains(secret, StringComparison.Ordinal) || result.StandardError.Contains(secret, StringComparison.Ordinal))
                throw result.Fail("the secret key appears in the output");
        }

        [Fact]
        public async Task Init_Succeeds_WithoutPrintingTheSecret()
        {
            var result = await InitAsync("designer", _server.AccessKey, _server.SecretKey);
            result.AssertSucceeded(
                $"Initialized project {_workspace.Project} as agent designer (s3://{_server.Bucket} at {_server.Endpoint})",
                $"Config written to {Path.Combine(_workspace.AgentDirectory("designer"), ".tracecraft.json")}");
            AssertNoSecret(result, _server.SecretKey);
            (await _workspace.RunAsync("designer", "agents")).AssertExitCode(0);
        }

        [Fact]
        public async Task Init_CreatesAMissingBucket()
        {
            string bucket = "native-" + Guid.NewGuid().ToString("N")[..12];
            var result = await InitAsync("designer", _server.AccessKey, _server.SecretKey, bucket);
            result.AssertExitCode(0);
            AssertNoSecret(result, _server.SecretKey);
            (await _workspace.RunAsync("designer", "memory", "set", "k", "v")).AssertSucceeded("Set k = v");
            (await _workspace.RunAsync("designer", "memory", "get", "k")).AssertSucceeded("v");
        }

        [Fact]
        public async Task Init_WrongSecret_FailsWithoutPrintingIt()
        {
            string wrong = "WrongSecret" + Guid.NewGuid().ToString("N");
            var result = await InitAsync("designer", _server.AccessKey, wrong);
            result.AssertFailed($"{_server.Endpoint} refused the credentials (SignatureDoesNotMatch) for '{_server.Bucket}': check the access key and secret key.");
            AssertNoSecret(result, wrong);
            AssertNoSecret(result, _server.SecretKey);
            Assert.False(File.Exists(Path.Combine(_workspace.AgentDirectory("designer"), ".tracecraft.json")), "a failed init must not write a config");
        }

        [Fact]
        public async Task Init_UnknownAccessKey_FailsWithoutPrintingTheSecret()
        {
            var result = await InitAsync("designer", "NOSUCHKEY" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant(), _server.SecretKey);
            result.AssertFailed($"{_server.Endpoint} refused the credentials (InvalidAccessKeyId) for '{_server.Bucket}': check the access key and secret key.");
            AssertNoSecret(result, _server.SecretKey);
        }
    }
}
