using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Protocol;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>
    /// Local state (config, inbox cache, heartbeat marker, anything under TRACECRAFT_HOME) is mode 600 in folders of
    /// mode 700 on Unix. The Windows ACL path is not exercised here (no Windows machine).
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public sealed class PrivateFilesTests : IDisposable
    {
        private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tcpriv-" + Guid.NewGuid().ToString("N").Substring(0, 10))).FullName;
        private readonly string _project = TestS3Server.UniqueName("priv");

        private string Home => Path.Combine(_folder, "home");
        private string Store => Path.Combine(_folder, "store");
        private string Work => Directory.CreateDirectory(Path.Combine(_folder, "work")).FullName;

        public void Dispose()
        {
            try { Directory.Delete(_folder, true); } catch (IOException) { }
        }

        private ConfigLoader Loader() => new ConfigLoader(Work, name => name == "TRACECRAFT_HOME" ? Home : null);

        private TcSession Session(string agent) => new TcSession(
            new TcConfig { Backend = Backends.Folder, Path = Store, Project = _project, AgentId = agent },
            new TcSessionOptions { CacheDirectory = Path.Combine(Home, "cache") });

        /// <summary>Every file under the folder is 600 and every folder, the folder itself included, is 700.</summary>
        private static void AssertPrivateTree(string root)
        {
            Assert.True(Directory.Exists(root), root + " exists");
            var folders = Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Append(root).ToList();
            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
            Assert.NotEmpty(files);
            Assert.All(folders, d => Assert.True(File.GetUnixFileMode(d) == PrivateFolder, $"{d} is {File.GetUnixFileMode(d)}, not 700"));
            Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == PrivateFile, $"{f} is {File.GetUnixFileMode(f)}, not 600"));
        }

        [UnixFact]
        public async Task Init_writes_a_600_config_and_its_heartbeat_marker_in_700_folders_and_leaves_no_staging_folder()
        {
            var context = await ProjectSetup.InitializeAsync(
                new InitRequest { Project = _project, Agent = "alice", Backend = Backends.Folder, Path = Store },
                Loader(), new TcSessionOptions { CacheDirectory = Path.Combine(Home, "cache") });
            Assert.Equal(PrivateFile, File.GetUnixFileMode(context.ConfigPath!));
            Assert.Equal(new[] { ".gitignore", ".tracecraft.json" }, Directory.GetFileSystemEntries(Work).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));

            using var alice = Session("alice");
            await alice.Agents.TouchAsync(force: true);
            AssertPrivateTree(Home);
        }

        [UnixFact]
        public async Task An_inbox_read_keeps_its_cache_600_in_700_folders_from_the_home_down()
        {
            using (var bob = Session("bob")) await bob.Messages.SendAsync("alice", "hello");
            using var alice = Session("alice");
            Assert.Single(await alice.Messages.ReadAsync());
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(Home, "cache", "inbox"), "*", SearchOption.AllDirectories));
            AssertPrivateTree(Home);
        }

        [UnixFact]
        public async Task Caches_an_older_version_left_readable_by_others_become_private_at_the_next_write()
        {
            using (var bob = Session("bob")) await bob.Messages.SendAsync("alice", "hello");
            using (var first = Session("alice")) await first.Messages.ReadAsync();
            string cache = Path.Combine(Home, "cache");
            var open = PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            foreach (var d in Directory.GetDirectories(cache, "*", SearchOption.AllDirectories).Append(cache)) File.SetUnixFileMode(d, open);
            foreach (var f in Directory.GetFiles(cache, "*", SearchOption.AllDirectories)) File.SetUnixFileMode(f, PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            using (var bob = Session("bob")) await bob.Messages.SendAsync("alice", "again");
            using var alice = Session("alice");
            Assert.Contains(await alice.Messages.ReadAsync(), m => m.Text == "again");
            AssertPrivateTree(cache);
        }

        [UnixFact]
        public void A_config_saved_over_one_readable_by_others_is_600()
        {
            string file = Path.Combine(Work, ConfigLoader.LocalFileName);
            File.WriteAllText(file, "{}");
            File.SetUnixFileMode(file, PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            Loader().Save(new TcConfig { Backend = Backends.Folder, Path = Store, Project = _project, AgentId = "alice" });
            Assert.Equal(PrivateFile, File.GetUnixFileMode(file));
            Assert.Equal("alice", Loader().Load().AgentId);
            Assert.Equal(new[] { ".gitignore", ".tracecraft.json" }, Directory.GetFileSystemEntries(Work).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        }
    }

    /// <summary>A test of Unix file modes: skipped, and said so, on Windows.</summary>
    public sealed class UnixFactAttribute : FactAttribute
    {
        public UnixFactAttribute()
        {
            if (OperatingSystem.IsWindows()) Skip = "Unix file modes do not exist on Windows (its ACL path is untested here).";
        }
    }
}
