using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using TraceCraft.Native.Tests.Infrastructure;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Native.Tests
{
    /// <summary>
    /// Keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY at init (the original's documented flow), against the real
    /// S3 server: saved to the config unless --no-save-keys, and one clear line when no key is found anywhere.
    /// </summary>
    public sealed class S3CredentialTests : IDisposable
    {
        private const string NotFound =
            "No S3 credentials found: the config has no access_key/secret_key, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and no AWS profile has keys. " +
            "Run init again with --access-key and --secret-key (Initialize-TcProject -Credential), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";

        private readonly TestS3Server _server = TestS3Server.Current;
        private readonly TestWorkspace _workspace = new TestWorkspace();

        public void Dispose() => _workspace.Dispose();

        /// <summary>No AWS profile either: both profile files point nowhere, and no instance metadata is asked.</summary>
        private Dictionary<string, string> NoProfile() => new Dictionary<string, string>
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_workspace.Root, "no-such-credentials"),
            ["AWS_CONFIG_FILE"] = Path.Combine(_workspace.Root, "no-such-config"),
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };

        private Dictionary<string, string> KeysInEnvironment()
        {
            var env = NoProfile();
            env["AWS_ACCESS_KEY_ID"] = _server.AccessKey;
            env["AWS_SECRET_ACCESS_KEY"] = _server.SecretKey;
            return env;
        }

        private Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
            _workspace.StartIn(_workspace.AgentDirectory("designer"), "designer", args, environment).WaitAndDisposeAsync(TestWorkspace.DefaultTimeout);

        private string[] Init(params string[] extra)
        {
            var args = new List<string> { "init", "--project", _workspace.Project, "--agent", "designer", "--endpoint", _server.Endpoint, "--bucket", _server.Bucket };
            args.AddRange(extra);
            return args.ToArray();
        }

        private string ConfigText => File.ReadAllText(Path.Combine(_workspace.AgentDirectory("designer"), ".tracecraft.json"));

        [Fact]
        public async Task Init_WithKeysOnlyInTheEnvironment_SavesThem_SoLaterCommandsWorkWithout()
        {
            var init = await RunAsync(KeysInEnvironment(), Init());
            init.AssertExitCode(0);
            Assert.DoesNotContain(_server.SecretKey, init.StandardOutput + init.StandardError);
            Assert.Contains("\"secret_key\"", ConfigText);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_workspace.AgentDirectory("designer"), ".tracecraft.json")));

            // A shell without the variables (and without any AWS profile).
            (await RunAsync(NoProfile(), "memory", "set", "design.status", "complete")).AssertSucceeded("Set design.status = complete");
            (await RunAsync(NoProfile(), "memory", "get", "design.status")).AssertSucceeded("complete");
        }

        [Fact]
        public async Task Init_NoSaveKeys_LeavesThemInTheEnvironment()
        {
            (await RunAsync(KeysInEnvironment(), Init("--no-save-keys"))).AssertExitCode(0);
            Assert.DoesNotContain("secret_key", ConfigText);
            Assert.DoesNotContain("access_key", ConfigText);
            (await RunAsync(KeysInEnvironment(), "memory", "set", "k", "v")).AssertSucceeded("Set k = v");
            // Without the variables the keys are nowhere: one line that says what to do.
            (await RunAsync(NoProfile(), "memory", "get", "k")).AssertFailed(NotFound);
        }

        [Fact]
        public async Task NoCredentialsAnywhere_IsOneLine_NotTheSdksChainDump()
        {
            File.WriteAllText(Path.Combine(_workspace.AgentDirectory("designer"), ".tracecraft.json"),
                $"{{\"backend\": \"s3\", \"endpoint\": \"{_server.Endpoint}\", \"bucket\": \"{_server.Bucket}\", \"project\": \"{_workspace.Project}\", \"agent_id\": \"designer\"}}");
            (await RunAsync(NoProfile(), "memory", "get", "k")).AssertFailed(NotFound);
            (await RunAsync(NoProfile(), "agents")).AssertFailed(NotFound);
            // init without keys anywhere fails the same way, and writes no config.
            File.Delete(Path.Combine(_workspace.AgentDirectory("designer"), ".tracecraft.json"));
            (await RunAsync(NoProfile(), Init())).AssertFailed(NotFound);
            Assert.False(File.Exists(Path.Combine(_workspace.AgentDirectory("designer"), ".tracecraft.json")));
        }
    }
}
