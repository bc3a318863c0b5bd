using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using TraceCraft.Config;
using TraceCraft.Errors;
using TraceCraft.Keys;
using TraceCraft.Wire;
using Xunit;

namespace TraceCraft.Tests.Wire
{
    public sealed class IdValidatorTests
    {
        [Theory]
        [InlineData(IdKind.Step, "")]
        [InlineData(IdKind.Step, "   ")]
        [InlineData(IdKind.Step, "a/b")]
        [InlineData(IdKind.Step, "a\\b")]
        [InlineData(IdKind.Step, "..")]
        [InlineData(IdKind.Step, "x\u0000")]
        [InlineData(IdKind.Step, "line\nbreak")]
        [InlineData(IdKind.Agent, "_broadcast")]
        [InlineData(IdKind.ArtifactName, ".")]
        [InlineData(IdKind.MemoryKey, "a.")]
        public void Refuses_unsafe_identifiers(IdKind kind, string value)
        {
            var e = Assert.Throws<TcException>(() => IdValidator.Validate(kind, value));
            Assert.Equal(TcErrorCode.InvalidIdentifier, e.Code);
        }

        [Fact]
        public void Refuses_ten_thousand_characters_with_a_short_message()
        {
            var e = Assert.Throws<TcException>(() => IdValidator.Validate(IdKind.Agent, new string('a', 10000)));
            Assert.Contains("10000 characters", e.Message);
            Assert.True(e.Message.Length < 200);
        }

        [Theory]
        [InlineData("S1.A")]
        [InlineData("Claim Only")]
        [InlineData("caf\u00e9-2")]
        public void Accepts_what_people_use(string id) => Assert.Equal(id, IdValidator.Validate(IdKind.Step, id));

        [Fact]
        public void Maps_keys_exactly_as_the_original()
        {
            var layout = new ProjectLayout("p");
            Assert.Equal("p/steps/s1-a/claim.json", layout.ClaimKey("S1.A"));
            Assert.Equal("p/memory/design/status.json", layout.MemoryKey("design.status"));
            Assert.Equal("design.status", layout.MemoryKeyOf("p/memory/design/status.json"));
            Assert.Equal("p/artifacts/shared/x.txt", layout.ArtifactKey(null, "x.txt"));
        }
    }

    public sealed class ConfigTests : IDisposable
    {
        private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tccfg-" + Guid.NewGuid().ToString("N"))).FullName;

        private ConfigLoader Loader(string? agent = null) =>
            new ConfigLoader(_folder, name => name switch
            {
                "TRACECRAFT_AGENT" => agent,
                "TRACECRAFT_HOME" => Path.Combine(_folder, "home"),
                _ => null,
            });

        [Fact]
        public void Saves_with_mode_600_adds_gitignore_and_loads_back_with_the_agent_override()
        {
            File.WriteAllText(Path.Combine(_folder, ".gitignore"), "bin/");
            var config = new TcConfig { Backend = Backends.S3, Endpoint = "http://localhost:9000", Bucket = "b", Project = "p", AgentId = "a", AccessKey = "AK", SecretKey = "TOPSECRET" };
            string file = Loader().Save(config);
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal("bin/\n.tracecraft.json\n", File.ReadAllText(Path.Combine(_folder, ".gitignore")));
            Loader().Save(config);
            Assert.Equal("bin/\n.tracecraft.json\n", File.ReadAllText(Path.Combine(_folder, ".gitignore")));
            var loaded = Loader("other").Load();
            Assert.Equal("other", loaded.AgentId);
            Assert.Equal("TOPSECRET", loaded.SecretKey);
            Assert.DoesNotContain("TOPSECRET", loaded.ToString());
            Assert.DoesNotContain("TOPSECRET", config.ToS3Options().ToString());
            string json = File.ReadAllText(file);
            foreach (var field in new[] { "\"backend\": \"s3\"", "\"endpoint\"", "\"bucket\"", "\"project\"", "\"agent_id\"", "\"access_key\"", "\"secret_key\"" })
                Assert.Contains(field, json);
        }

        [Fact]
        public void A_missing_config_says_to_run_init()
        {
            var e = Assert.Throws<TcException>(() => Loader().Load());
            Assert.Equal(TcErrorCode.ConfigNotFound, e.Code);
            Assert.Contains("init", e.Message);
        }

        [Theory]
        [InlineData("not json at all")]
        [InlineData("[1, 2]")]
        [InlineData("{\"backend\": \"s3\", \"bucket\": \"b\", \"agent_id\": \"a\"}")]
        [InlineData("{\"backend\": \"s3\", \"project\": \"p\", \"agent_id\": \"a\"}")]
        [InlineData("{\"backend\": \"hf\", \"bucket\": \"b\", \"project\": \"p\", \"agent_id\": \"a\"}")]
        [InlineData("{\"backend\": \"s3\", \"bucket\": 7, \"project\": \"p\", \"agent_id\": \"a\"}")]
        public void A_config_that_is_not_json_or_lacks_fields_is_refused_clearly(string content)
        {
            File.WriteAllText(Path.Combine(_folder, ".tracecraft.json"), content, Encoding.UTF8);
            var e = Assert.Throws<TcException>(() => Loader().Load());
            Assert.Equal(TcErrorCode.ConfigInvalid, e.Code);
            Assert.Contains(".tracecraft.json", e.Message);
        }

        public void Dispose() => Directory.Delete(_folder, true);
    }
}
