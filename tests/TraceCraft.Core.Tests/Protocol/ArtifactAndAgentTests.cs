using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Storage;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    public abstract class ArtifactAndAgentTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected ArtifactAndAgentTests(TBackend backend) : base(backend) { }

        private string Folder(string name) => Directory.CreateDirectory(Path.Combine(Backend.TempFolder, Project, name)).FullName;

        [Fact]
        public async Task Artifacts_upload_list_and_download_without_overwriting()
        {
            var designer = Agent("designer");
            string src = Folder("src");
            File.WriteAllText(Path.Combine(src, "mockup.html"), "<html>v1</html>");
            var up = await designer.Artifacts.UploadAsync(Path.Combine(src, "mockup.html"), "design");
            Assert.Equal($"{Project}/artifacts/design/mockup.html", up.Key);
            await designer.Artifacts.UploadAsync(Path.Combine(src, "mockup.html"));
            var listed = await designer.Artifacts.ListAsync("design");
            Assert.Equal(new[] { "mockup.html" }, listed.Select(a => a.Name));
            Assert.Equal(2, (await designer.Artifacts.ListAsync()).Count);
            Assert.Null(Assert.Single(await designer.Artifacts.ListAsync(sharedOnly: true)).Step);

            var developer = Agent("developer");
            string dest = Folder("dest");
            var down = await developer.Artifacts.DownloadAsync("mockup.html", "design", null, dest);
            Assert.Equal("<html>v1</html>", File.ReadAllText(down.LocalPath!));
            var exists = await Assert.ThrowsAsync<TcException>(() => developer.Artifacts.DownloadAsync("mockup.html", "design", null, dest));
            Assert.Equal(TcErrorCode.DestinationExists, exists.Code);
            File.WriteAllText(Path.Combine(src, "mockup.html"), "<html>v2</html>");
            var noOverwrite = await Assert.ThrowsAsync<TcException>(() => designer.Artifacts.UploadAsync(Path.Combine(src, "mockup.html"), "design", overwrite: false));
            Assert.Equal(TcErrorCode.DestinationExists, noOverwrite.Code);
            await designer.Artifacts.UploadAsync(Path.Combine(src, "mockup.html"), "design");
            await developer.Artifacts.DownloadAsync("mockup.html", "design", "sub/", dest);
            await developer.Artifacts.DownloadAsync("mockup.html", "design", null, dest, force: true);
            Assert.Equal("<html>v2</html>", File.ReadAllText(Path.Combine(dest, "mockup.html")));
            Assert.Equal("<html>v2</html>", File.ReadAllText(Path.Combine(dest, "sub", "mockup.html")));
            Assert.Empty(Directory.GetFiles(dest, "*.part", SearchOption.AllDirectories));
        }

        [Fact]
        public async Task A_missing_artifact_is_an_error_that_leaves_no_file()
        {
            string dest = Folder("dest");
            var e = await Assert.ThrowsAsync<TcException>(() => Agent("a").Artifacts.DownloadAsync("nope.txt", null, null, dest));
            Assert.Equal(TcErrorCode.ArtifactNotFound, e.Code);
            Assert.Equal($"Artifact not found: {Project}/artifacts/shared/nope.txt", e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(dest));
        }

        [Theory]
        [InlineData("../evil.txt")]
        [InlineData("..")]
        [InlineData("sub/evil.txt")]
        [InlineData("sub\\evil.txt")]
        public async Task Unsafe_artifact_names_never_write_outside_the_folder(string name)
        {
            string dest = Folder("dest");
            var e = await Assert.ThrowsAsync<TcException>(() => Agent("a").Artifacts.DownloadAsync(name, null, null, dest));
            Assert.Equal(TcErrorCode.InvalidIdentifier, e.Code);
            Assert.DoesNotContain(Directory.GetFileSystemEntries(Path.GetDirectoryName(dest)!), p => !p.EndsWith("dest"));
            Assert.Empty(Directory.GetFileSystemEntries(dest));
        }

        [Fact]
        public async Task An_artifact_in_the_bucket_whose_name_climbs_out_is_listed_but_never_written_outside()
        {
            var a = Agent("a");
            // Put by hand, as a careless or hostile writer could: the folder store cannot hold a '..' segment, S3 can.
            string name = Backend is S3Backend ? "../../evil.txt" : "..\\..\\evil.txt";
            await a.Store.PutAsync($"{Project}/artifacts/shared/{name}", Encoding.UTF8.GetBytes("pwned"), WriteCondition.None);
            var listed = Assert.Single(await a.Artifacts.ListAsync());
            Assert.Equal(name, listed.Name);
            string dest = Folder("dest");
            var e = await Assert.ThrowsAsync<TcException>(() => a.Artifacts.DownloadAsync(listed.Name, listed.Step, null, dest));
            Assert.Equal(TcErrorCode.InvalidIdentifier, e.Code);
            Assert.Empty(Directory.GetFileSystemEntries(dest));
            Assert.False(File.Exists(Path.GetFullPath(Path.Combine(dest, "..", "..", "evil.txt"))));
        }

        [Fact]
        public async Task Agents_register_refresh_and_go_stale()
        {
            var designer = Agent("designer");
            await designer.Agents.RegisterAsync();
            var future = Agent("observer", new TcClock(fixedOffset: TimeSpan.FromMinutes(10)));
            var seen = Assert.Single(await future.Agents.ListAsync());
            Assert.Equal("designer", seen.Id);
            Assert.True(seen.IsStale);
            Assert.False(Assert.Single(await designer.Agents.ListAsync()).IsStale);

            await designer.Claims.ClaimAsync("design");
            await designer.Agents.TouchAsync("design");
            var fresh = Assert.Single(await designer.Agents.ListAsync());
            Assert.Equal("design", fresh.Step);
            string raw = Encoding.UTF8.GetString((await designer.Store.GetAsync(Project + "/agents/designer.json")).Body!);
            foreach (var field in new[] { "\"id\": \"designer\"", "\"status\": \"active\"", "\"step\": \"design\"", "\"started_at\"", "\"heartbeat\"", "\"summary\": \"Initialized\"" })
                Assert.Contains(field, raw);
        }

        [Fact]
        public async Task Heartbeats_are_rate_limited_to_one_write_a_minute()
        {
            int puts = 0;
            var a = Agent("a", observer: r => { if (r.Method.StartsWith("PUT")) System.Threading.Interlocked.Increment(ref puts); });
            await a.Agents.RegisterAsync();
            puts = 0;
            for (int i = 0; i < 5; i++) await a.Agents.TouchAsync();
            Assert.Equal(0, puts);
            await a.Agents.TouchAsync("new-step");
            Assert.Equal(1, puts);
        }

        [Fact]
        public async Task A_corrupt_agent_record_is_skipped_with_a_warning()
        {
            var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var a = Agent("a", warning: warnings.Enqueue);
            await a.Agents.RegisterAsync();
            await a.Store.PutAsync(Project + "/agents/broken.json", Encoding.UTF8.GetBytes("[1,2"), WriteCondition.None);
            Assert.Equal("a", Assert.Single(await a.Agents.ListAsync()).Id);
            Assert.Contains(warnings, w => w.Contains("broken.json"));
        }
    }

    public sealed class FolderArtifactAndAgentTests : ArtifactAndAgentTests<FolderBackend> { public FolderArtifactAndAgentTests(FolderBackend b) : base(b) { } }
    public sealed class S3ArtifactAndAgentTests : ArtifactAndAgentTests<S3Backend> { public S3ArtifactAndAgentTests(S3Backend b) : base(b) { } }
}
