using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>Downloads that fail part way leave no part file behind, and part files of killed downloads are swept.</summary>
    public abstract class DownloadLeftoverTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        private const int ArtifactSize = 3 << 20;

        protected DownloadLeftoverTests(TBackend backend) : base(backend) { }

        private string Folder(string name) => Directory.CreateDirectory(Path.Combine(Backend.TempFolder, Project, name)).FullName;

        private async Task UploadBig(string name)
        {
            string src = Path.Combine(Folder("src"), name);
            var bytes = new byte[ArtifactSize];
            new Random(7).NextBytes(bytes);
            File.WriteAllBytes(src, bytes);
            await Agent("uploader").Artifacts.UploadAsync(src);
        }

        /// <summary>The backend's store with no retries, so that one failure mid-stream ends the download.</summary>
        private IObjectStore OneAttemptStore()
        {
            var store = Backend.NewStore();
            return store is RetryingStore retrying ? retrying.Inner : store;
        }

        [Fact]
        public async Task A_download_that_fails_mid_stream_leaves_no_part_file()
        {
            await UploadBig("big.bin");
            var faulty = new FailingDownloadStore(OneAttemptStore(), failAfterBytes: 1 << 20);
            string dest = Folder("dest");
            await Assert.ThrowsAnyAsync<Exception>(() => Agent("reader", store: faulty).Artifacts.DownloadAsync("big.bin", null, null, dest));
            Assert.True(faulty.BytesWritten >= 1 << 20, "the failure came after real bytes were written");
            Assert.Empty(Directory.GetFileSystemEntries(dest));
        }

        [Fact]
        public async Task A_download_cancelled_mid_transfer_leaves_no_part_file()
        {
            await UploadBig("big.bin");
            string dest = Folder("dest");
            using var cancel = new CancellationTokenSource();
            long reported = 0;
            var cancelAtFirstMiB = new SyncProgress(bytes => { reported = bytes; cancel.Cancel(); });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                Agent("reader").Artifacts.DownloadAsync("big.bin", null, null, dest, progress: cancelAtFirstMiB, cancellationToken: cancel.Token));
            Assert.InRange(reported, 1 << 20, ArtifactSize - 1);
            Assert.Empty(Directory.GetFileSystemEntries(dest));
        }

        [Fact]
        public async Task Part_files_of_killed_downloads_are_swept_and_a_live_ones_kept()
        {
            await UploadBig("big.bin");
            string dest = Folder("dest");
            string target = Path.Combine(dest, "big.bin");
            string stale = ArtifactService.PartFileOf(target, "0badf00d");
            string live = ArtifactService.PartFileOf(target, "1badf00d");
            string otherTarget = ArtifactService.PartFileOf(Path.Combine(dest, "other.bin"), "2badf00d");
            string userFile = Path.Combine(dest, ".big.bin.notes.part");
            foreach (var f in new[] { stale, live, otherTarget, userFile }) File.WriteAllText(f, "leftover");
            var old = DateTime.UtcNow - ArtifactService.StalePartAge - TimeSpan.FromMinutes(5);
            foreach (var f in new[] { stale, otherTarget, userFile }) File.SetLastWriteTimeUtc(f, old);

            await Agent("reader").Artifacts.DownloadAsync("big.bin", null, null, dest);

            Assert.False(File.Exists(stale), "a part file of this target untouched for over an hour is swept");
            Assert.True(File.Exists(live), "a fresh part file may be another live download's");
            Assert.True(File.Exists(otherTarget), "only part files of the target downloaded are looked at");
            Assert.True(File.Exists(userFile), "a name that is not ours is never touched");
            Assert.Equal(ArtifactSize, new FileInfo(target).Length);
        }

        private sealed class SyncProgress : IProgress<long>
        {
            private readonly Action<long> _report;
            public SyncProgress(Action<long> report) => _report = report;
            public void Report(long value) => _report(value);
        }
    }

    public sealed class FolderDownloadLeftoverTests : DownloadLeftoverTests<FolderBackend> { public FolderDownloadLeftoverTests(FolderBackend b) : base(b) { } }
    public sealed class S3DownloadLeftoverTests : DownloadLeftoverTests<S3Backend> { public S3DownloadLeftoverTests(S3Backend b) : base(b) { } }

    /// <summary>Temporary files of writers killed mid-write are swept when a folder store opens; live ones are kept.</summary>
    public sealed class FolderStoreTempSweepTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "tcsweep-" + Guid.NewGuid().ToString("N").Substring(0, 10));

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }

        private string Temp(string name, bool stale)
        {
            string file = Path.Combine(_root, ".tmp", name);
            File.WriteAllText(file, "half an object");
            if (stale) File.SetLastWriteTimeUtc(file, DateTime.UtcNow - FolderObjectStore.StaleTempAge - TimeSpan.FromMinutes(5));
            return file;
        }

        [Fact]
        public async Task Opening_the_store_sweeps_stale_temp_files_once_and_keeps_live_ones_and_foreign_files()
        {
            Directory.CreateDirectory(Path.Combine(_root, ".tmp"));
            string stale = Temp(Guid.NewGuid().ToString("N") + ".tmp", stale: true);
            string live = Temp(Guid.NewGuid().ToString("N") + ".tmp", stale: false);
            string foreign = Temp("notes.tmp", stale: true);

            using (var store = new FolderObjectStore(_root))
            {
                Assert.False(File.Exists(stale), "a temp file untouched for over an hour is a dead writer's");
                Assert.True(File.Exists(live), "a fresh temp file may be another live writer's");
                Assert.True(File.Exists(foreign), "a name that is not ours is never touched");
                Assert.Empty((await store.ListAsync("")).Objects);
            }

            // Once per process per store root: a second open does not list the folder again.
            string staleLater = Temp(Guid.NewGuid().ToString("N") + ".tmp", stale: true);
            using (new FolderObjectStore(_root + Path.DirectorySeparatorChar))
                Assert.True(File.Exists(staleLater));
        }
    }

    /// <summary>A real store whose downloads break after some bytes, as a connection that drops or a disk that fills up.</summary>
    internal sealed class FailingDownloadStore : IObjectStore
    {
        private readonly IObjectStore _inner;
        private readonly long _failAfterBytes;

        public FailingDownloadStore(IObjectStore inner, long failAfterBytes)
        {
            _inner = inner;
            _failAfterBytes = failAfterBytes;
        }

        public long BytesWritten { get; private set; }

        public string Location => _inner.Location;
        public Task<ObjectRead> GetAsync(string key, string? ifNoneMatch = null, CancellationToken cancellationToken = default) => _inner.GetAsync(key, ifNoneMatch, cancellationToken);
        public Task<WriteResult> PutAsync(string key, byte[] body, WriteCondition condition, string? contentType = null, CancellationToken cancellationToken = default) => _inner.PutAsync(key, body, condition, contentType, cancellationToken);
        public Task<WriteResult> UploadAsync(string key, Stream content, WriteCondition condition, IProgress<long>? progress = null, CancellationToken cancellationToken = default) => _inner.UploadAsync(key, content, condition, progress, cancellationToken);
        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);
        public Task<ListPage> ListAsync(string prefix, string? startAfter = null, int maxKeys = 1000, CancellationToken cancellationToken = default) => _inner.ListAsync(prefix, startAfter, maxKeys, cancellationToken);
        public Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default) => _inner.GetServerTimeAsync(cancellationToken);
        public void Dispose() => _inner.Dispose();

        public Task<ObjectInfo?> DownloadAsync(string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
            _inner.DownloadAsync(key, new BreakingStream(destination, this), progress, cancellationToken);

        private sealed class BreakingStream : Stream
        {
            private readonly Stream _inner;
            private readonly FailingDownloadStore _owner;

            public BreakingStream(Stream inner, FailingDownloadStore owner)
            {
                _inner = inner;
                _owner = owner;
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                if (_owner.BytesWritten >= _owner._failAfterBytes) throw new IOException("The connection dropped mid-stream (injected).");
                _inner.Write(buffer, offset, count);
                _owner.BytesWritten += count;
            }

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => _inner.Length;
            public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
            public override void Flush() => _inner.Flush();
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
