using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.CommandLine;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>Deleting artifacts (engine and `tracecraft artifact delete`), and the per-step download folders.</summary>
    public abstract class ArtifactDeleteTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected ArtifactDeleteTests(TBackend backend) : base(backend) { }

        private string Folder(string name) => Directory.CreateDirectory(Path.Combine(Backend.TempFolder, Project, name)).FullName;

        private async Task<TcSession> WithSameNamedArtifacts()
        {
            var a = Agent("a");
            string src = Folder("src");
            string file = Path.Combine(src, "report.txt");
            foreach (var step in new[] { "build", "test" })
            {
                File.WriteAllText(file, "report of " + step);
                await a.Artifacts.UploadAsync(file, step);
            }
            File.WriteAllText(file, "shared report");
            await a.Artifacts.UploadAsync(file);
            return a;
        }

        [Fact]
        public async Task Delete_removes_only_the_named_steps_artifact()
        {
            var a = await WithSameNamedArtifacts();
            var deleted = await a.Artifacts.DeleteAsync("report.txt", "build");
            Assert.Equal($"{Project}/artifacts/build/report.txt", deleted.Key);
            Assert.Equal("build", deleted.Step);
            Assert.Equal("report of build".Length, deleted.Size);
            Assert.Equal(new[] { $"{Project}/artifacts/shared/report.txt", $"{Project}/artifacts/test/report.txt" },
                (await a.Artifacts.ListAsync()).Select(x => x.Key).OrderBy(k => k));
            await a.Artifacts.DeleteAsync("report.txt");
            Assert.Equal(new[] { "test" }, (await a.Artifacts.ListAsync()).Select(x => x.Step));
        }

        [Fact]
        public async Task Deleting_a_missing_artifact_is_ArtifactNotFound_and_deletes_nothing()
        {
            var a = await WithSameNamedArtifacts();
            var e = await Assert.ThrowsAsync<TcException>(() => a.Artifacts.DeleteAsync("report.txt", "deploy"));
            Assert.Equal(TcErrorCode.ArtifactNotFound, e.Code);
            Assert.Equal($"Artifact not found: {Project}/artifacts/deploy/report.txt", e.Message);
            // A name that only prefixes an existing one is not it.
            var prefix = await Assert.ThrowsAsync<TcException>(() => a.Artifacts.DeleteAsync("report", "build"));
            Assert.Equal(TcErrorCode.ArtifactNotFound, prefix.Code);
            Assert.Equal(3, (await a.Artifacts.ListAsync()).Count);
            var bad = await Assert.ThrowsAsync<TcException>(() => a.Artifacts.DeleteAsync("../report.txt", "build"));
            Assert.Equal(TcErrorCode.InvalidIdentifier, bad.Code);
        }

        [Fact]
        public async Task Per_step_folders_keep_same_named_artifacts_apart_as_the_bucket_does()
        {
            var a = await WithSameNamedArtifacts();
            string dest = Folder("dest");
            foreach (var artifact in await a.Artifacts.ListAsync())
                await a.Artifacts.DownloadAsync(artifact.Name, artifact.Step, ArtifactService.PerStepFolder("in", artifact.Step), dest);
            Assert.Equal("report of build", File.ReadAllText(Path.Combine(dest, "in", "build", "report.txt")));
            Assert.Equal("report of test", File.ReadAllText(Path.Combine(dest, "in", "test", "report.txt")));
            Assert.Equal("shared report", File.ReadAllText(Path.Combine(dest, "in", "shared", "report.txt")));
            // The step's folder in the bucket: lower case, dots as dashes.
            Assert.Equal(Path.Combine("d", "v1-2") + Path.DirectorySeparatorChar, ArtifactService.PerStepFolder("d", "V1.2"));
        }

        [Fact]
        public void The_delete_verb_prints_the_key_and_fails_on_a_missing_artifact()
        {
            string home = Folder("cli");
            File.WriteAllText(Path.Combine(home, "notes.txt"), "n");
            var env = new Dictionary<string, string> { ["TRACECRAFT_HOME"] = Path.Combine(home, ".home") };
            (int, string, string) Run(params string[] args)
            {
                var stdout = new StringWriter { NewLine = "\n" };
                var stderr = new StringWriter { NewLine = "\n" };
                int code = TracecraftCli.Run(args, new CliContext { Out = stdout, Error = stderr, WorkingDirectory = home, Environment = n => env.TryGetValue(n, out var v) ? v : null });
                return (code, stdout.ToString(), stderr.ToString());
            }
            var config = Backend.ConfigFor(Project, "a");
            var init = Backend is S3Backend
                ? Run("init", "--project", Project, "--agent", "a", "--endpoint", config.Endpoint!, "--bucket", config.Bucket!, "--access-key", config.AccessKey!, "--secret-key", config.SecretKey!)
                : Run("init", "--project", Project, "--agent", "a", "--backend", "folder", "--path", config.Path!);
            Assert.Equal(0, init.Item1);
            Assert.Equal(0, Run("artifact", "upload", "notes.txt", "--step", "design").Item1);
            Assert.Equal(0, Run("artifact", "upload", "notes.txt").Item1);
            Assert.Equal((0, "Deleted artifacts/design/notes.txt\n", ""), Run("artifact", "delete", "notes.txt", "--step", "design"));
            Assert.Equal((1, "", "Error: Artifact not found: artifacts/design/notes.txt\n"), Run("artifact", "delete", "notes.txt", "--step", "design"));
            Assert.Equal((0, "artifacts/shared/notes.txt\n", ""), Run("artifact", "list"));
            Assert.Equal((0, "Deleted artifacts/shared/notes.txt\n", ""), Run("artifact", "delete", "notes.txt"));
            Assert.Equal(2, Run("artifact", "delete").Item1);
            Assert.Equal((0, "No artifacts found.\n", ""), Run("artifact", "list"));
        }
    }

    public sealed class FolderArtifactDeleteTests : ArtifactDeleteTests<FolderBackend> { public FolderArtifactDeleteTests(FolderBackend b) : base(b) { } }
    public sealed class S3ArtifactDeleteTests : ArtifactDeleteTests<S3Backend> { public S3ArtifactDeleteTests(S3Backend b) : base(b) { } }
}
