using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;

namespace TraceCraft.Storage
{
    /// <summary>
    /// A bucket in a local folder, for one machine and for trying TraceCraft with no server. Many processes
    /// may share one folder with S3's semantics:
    /// <list type="bullet">
    /// <item>writes go to a temporary file that is renamed over the object, so a reader never sees half an object;</item>
    /// <item>conditional writes check and rename under an exclusive OS file lock (one of 256 stripes), which the OS
    /// releases when a process dies, so a killed writer never leaves a lock behind;</item>
    /// <item>the ETag is the MD5 of the bytes, as S3's is for a single-part upload;</item>
    /// <item>an object deleted by another process while it is listed or read is simply not there (never an error);</item>
    /// <item>temporary files live in <c>.tmp/</c> beside <c>objects/</c> (so listings never see them), and those of
    /// writers killed mid-write are swept when the store is first opened in a process.</item>
    /// </list>
    /// Not promised on network file systems (NFS, SMB), whose locks and renames are not reliably atomic.
    /// </summary>
    public sealed class FolderObjectStore : IObjectStore
    {
        private const int LockStripes = 256;
        private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
        /// <summary>A temporary file untouched this long belongs to a writer that died (a live one keeps writing to it).</summary>
        internal static readonly TimeSpan StaleTempAge = TimeSpan.FromHours(1);
        /// <summary>Temporary folders (one per store root) this process has swept: once per process is enough.</summary>
        private static readonly ConcurrentDictionary<string, bool> SweptRoots = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        private readonly string _objects;
        private readonly string _locks;
        private readonly string _temp;

        public FolderObjectStore(string root)
        {
            Root = Path.GetFullPath(root);
            _objects = Path.Combine(Root, "objects");
            _locks = Path.Combine(Root, ".locks");
            _temp = Path.Combine(Root, ".tmp");
            try
            {
                Directory.CreateDirectory(_objects);
                Directory.CreateDirectory(_locks);
                Directory.CreateDirectory(_temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TcException(TcErrorCode.StoreUnreachable, $"Cannot use the folder store at '{Root}': {e.Message}", Root, e);
            }
            if (SweptRoots.TryAdd(Path.GetFullPath(_temp), true)) SweepStaleTemps();
        }

        public string Root { get; }

        public string Location => "folder " + Root;

        public Task<ObjectRead> GetAsync(string key, string? ifNoneMatch = null, CancellationToken cancellationToken = default)
        {
            string path = PathOf(key);
            byte[] body;
            DateTimeOffset modified;
            try
            {
                using var file = OpenForRead(path);
                if (LastWriteOf(file, path) is not DateTime written) return Task.FromResult(ObjectRead.Missing);
                modified = written;
                using var copy = new MemoryStream();
                file.CopyTo(copy);
                body = copy.ToArray();
            }
            catch (Exception e) when (IsGone(e))
            {
                // Deleted before we opened it (or its folder was): to a reader it simply is not there.
                return Task.FromResult(ObjectRead.Missing);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(key, e);
            }
            string etag = ETagOf(body);
            if (ifNoneMatch is not null && ETagText.Bare(ifNoneMatch) == etag)
                return Task.FromResult(new ObjectRead(ReadStatus.NotModified, null, etag, modified));
            return Task.FromResult(new ObjectRead(ReadStatus.Found, body, etag, modified));
        }

        public Task<WriteResult> PutAsync(string key, byte[] body, WriteCondition condition, string? contentType = null, CancellationToken cancellationToken = default)
        {
            string path = PathOf(key);
            string temp = TempPath();
            try
            {
                File.WriteAllBytes(temp, body);
                return Task.FromResult(CommitUnderLock(key, path, temp, condition, ETagOf(body), cancellationToken));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(key, e);
            }
            finally
            {
                TryDelete(temp);
            }
        }

        public async Task<WriteResult> UploadAsync(string key, Stream content, WriteCondition condition, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        {
            string path = PathOf(key);
            string temp = TempPath();
            try
            {
                string etag;
                using (var md5 = MD5.Create())
                {
                    using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: false))
                    using (var hashing = new CryptoStream(file, md5, CryptoStreamMode.Write))
                    {
                        await StreamCopy.CopyAsync(content, hashing, progress, cancellationToken).ConfigureAwait(false);
                        hashing.FlushFinalBlock();
                    }
                    etag = Hex(md5.Hash!);
                }
                return CommitUnderLock(key, path, temp, condition, etag, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(key, e);
            }
            finally
            {
                TryDelete(temp);
            }
        }

        public async Task<ObjectInfo?> DownloadAsync(string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        {
            string path = PathOf(key);
            try
            {
                // The open handle keeps the object's bytes readable even if it is deleted or replaced meanwhile.
                using var source = OpenForRead(path);
                if (LastWriteOf(source, path) is not DateTime modified) return null;
                long size = await StreamCopy.CopyAsync(source, destination, progress, cancellationToken).ConfigureAwait(false);
                return new ObjectInfo(key, size, modified, null);
            }
            catch (Exception e) when (IsGone(e))
            {
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(key, e);
            }
        }

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            string path = PathOf(key);
            using (AcquireLock(key, cancellationToken))
            {
                if (!File.Exists(path)) return Task.FromResult(false);
                try
                {
                    File.Delete(path);
                }
                catch (Exception e) when (IsGone(e))
                {
                    return Task.FromResult(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw Failure(key, e);
                }
                return Task.FromResult(true);
            }
        }

        public Task<ListPage> ListAsync(string prefix, string? startAfter = null, int maxKeys = 1000, CancellationToken cancellationToken = default)
        {
            // Walk only the folder the prefix names down to its last '/', then filter by the whole prefix.
            int slash = prefix.LastIndexOf('/');
            string folderKey = slash < 0 ? "" : prefix.Substring(0, slash);
            string folder = folderKey.Length == 0 ? _objects : Path.Combine(_objects, FolderKeys.ToRelativePath(folderKey));
            var found = new List<ObjectInfo>();
            var pending = new Stack<DirectoryInfo>();
            pending.Push(new DirectoryInfo(folder));
            try
            {
                while (pending.Count > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    foreach (var entry in EntriesOf(pending.Pop()))
                    {
                        string key = FolderKeys.ToKey(entry.FullName.Substring(_objects.Length + 1));
                        if (entry is DirectoryInfo sub)
                        {
                            // Descend only where keys can still start with the prefix.
                            string below = key + "/";
                            if (below.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(below, StringComparison.Ordinal)) pending.Push(sub);
                            continue;
                        }
                        if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                        if (startAfter is not null && string.CompareOrdinal(key, startAfter) <= 0) continue;
                        if (StatOf((FileInfo)entry) is ObjectInfo info) found.Add(new ObjectInfo(key, info.Size, info.LastModified, null));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(prefix, e);
            }
            found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            bool truncated = found.Count > maxKeys;
            return Task.FromResult(new ListPage(truncated ? found.GetRange(0, maxKeys) : found, truncated));
        }

        /// <summary>A folder's entries; none when the folder is absent or was removed while we read it.</summary>
        private static List<FileSystemInfo> EntriesOf(DirectoryInfo folder)
        {
            try
            {
                return folder.EnumerateFileSystemInfos().ToList();
            }
            catch (Exception e) when (IsGone(e))
            {
                return new List<FileSystemInfo>();
            }
        }

        /// <summary>Size and time of a listed file; null when it was deleted since the folder was read.</summary>
        private static ObjectInfo? StatOf(FileInfo file)
        {
            try
            {
                long size = file.Length;
                return new ObjectInfo("", size, file.LastWriteTimeUtc, null);
            }
            catch (Exception e) when (IsGone(e))
            {
                return null;
            }
        }

        public Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default) => Task.FromResult(DateTimeOffset.UtcNow);

        private WriteResult CommitUnderLock(string key, string path, string temp, WriteCondition condition, string etag, CancellationToken cancellationToken)
        {
            using (AcquireLock(key, cancellationToken))
            {
                bool exists = File.Exists(path);
                if (condition.Kind == WriteConditionKind.IfAbsent && exists) return WriteResult.PreconditionFailed;
                if (condition.Kind == WriteConditionKind.IfMatch && (!exists || CurrentETag(path) != condition.ETag))
                    return WriteResult.PreconditionFailed;
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                if (exists) File.Replace(temp, path, null);
                else File.Move(temp, path);
                return new WriteResult(true, etag);
            }
        }

        /// <summary>An exclusive lock on the key's stripe, held through an open handle the OS drops with the process.</summary>
        private FileStream AcquireLock(string key, CancellationToken cancellationToken)
        {
            string lockPath = Path.Combine(_locks, StripeOf(key) + ".lock");
            var deadline = DateTime.UtcNow + LockTimeout;
            int spin = 0;
            while (true)
            {
                try
                {
                    return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Thread.Sleep(spin++ < 10 ? 1 : 5);
                }
                catch (IOException e)
                {
                    throw new TcException(TcErrorCode.StoreFailed, $"The folder store at '{Root}' stayed locked for {LockTimeout.TotalSeconds:0} s for '{key}'.", key, e);
                }
            }
        }

        /// <summary>
        /// Opens an object for reading. Sharing read, write and delete lets writers rename over it and deleters
        /// remove it meanwhile (on Windows too), while this handle goes on reading the bytes it opened.
        /// </summary>
        private static FileStream OpenForRead(string path) =>
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: false);

        /// <summary>When the opened object was written; null when it was deleted between opening and asking.</summary>
        private static DateTime? LastWriteOf(FileStream file, string path)
        {
#if NET
            return File.GetLastWriteTimeUtc(file.SafeFileHandle);
#else
            // netstandard2.0 can only ask by path; a path that is gone answers 1601-01-01, the zero file time.
            var written = File.GetLastWriteTimeUtc(path);
            return written == DateTime.FromFileTimeUtc(0) ? null : written;
#endif
        }

        private static string? CurrentETag(string path)
        {
            try
            {
                using var file = OpenForRead(path);
                using var md5 = MD5.Create();
                return Hex(md5.ComputeHash(file));
            }
            catch (Exception e) when (IsGone(e))
            {
                return null;
            }
        }

        /// <summary>The file or its folder vanished: another process deleted it, which is no failure of ours.</summary>
        private static bool IsGone(Exception e) => e is FileNotFoundException or DirectoryNotFoundException;

        /// <summary>
        /// Deletes what killed writers left in the store's temporary folder. Only our own names (32 hex digits +
        /// ".tmp") untouched for <see cref="StaleTempAge"/> go: a live writer keeps its file fresh. One listing of
        /// one folder, however many objects the store holds; best effort, never a reason to fail opening the store.
        /// </summary>
        private void SweepStaleTemps()
        {
            try
            {
                var cutoff = DateTime.UtcNow - StaleTempAge;
                foreach (var file in new DirectoryInfo(_temp).EnumerateFiles("*.tmp"))
                {
                    if (!IsTempName(file.Name)) continue;
                    try
                    {
                        if (file.LastWriteTimeUtc < cutoff) file.Delete();
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // In use (Windows) or already gone: its writer or another sweeper has it.
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        private static bool IsTempName(string name) =>
            name.Length == 36 && name.EndsWith(".tmp", StringComparison.Ordinal) && name.Take(32).All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));

        private string PathOf(string key) => Path.Combine(_objects, FolderKeys.ToRelativePath(key));

        /// <summary>A new temporary file in the store's own folder for them, which listings never walk.</summary>
        private string TempPath() => Path.Combine(_temp, Guid.NewGuid().ToString("N") + ".tmp");

        private static string StripeOf(string key)
        {
            using var sha = SHA256.Create();
            return (sha.ComputeHash(Encoding.UTF8.GetBytes(key))[0] % LockStripes).ToString("x2");
        }

        internal static string ETagOf(byte[] body)
        {
            using var md5 = MD5.Create();
            return Hex(md5.ComputeHash(body));
        }

        private static string Hex(byte[] bytes)
        {
            var text = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes) text.Append(b.ToString("x2"));
            return text.ToString();
        }

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private TcException Failure(string key, Exception e) =>
            new TcException(TcErrorCode.StoreFailed, $"The folder store at '{Root}' failed on '{key}': {e.Message}", key, e);

        public void Dispose() { }
    }

    /// <summary>
    /// Object keys to relative file paths and back. Characters a file system may refuse (and '%', the escape
    /// itself) become %XX, so any key round-trips on Windows and Unix; '.', '..' and empty segments are refused.
    /// </summary>
    internal static class FolderKeys
    {
        private const string Unsafe = "%<>:\"|?*\\";

        public static string ToRelativePath(string key)
        {
            var segments = key.Split('/');
            var parts = new string[segments.Length];
            for (int i = 0; i < segments.Length; i++)
            {
                string s = segments[i];
                if (s.Length == 0 || s == "." || s == "..")
                    throw new TcException(TcErrorCode.InvalidIdentifier, $"The key '{key}' has an empty, '.' or '..' segment, which the folder store cannot hold.", key);
                var text = new StringBuilder(s.Length);
                foreach (char c in s)
                {
                    if (c < 0x20 || Unsafe.IndexOf(c) >= 0) text.Append('%').Append(((int)c).ToString("X2"));
                    else text.Append(c);
                }
                parts[i] = text.ToString();
            }
            return string.Join(Path.DirectorySeparatorChar.ToString(), parts);
        }

        public static string ToKey(string relativePath)
        {
            string joined = relativePath.Replace(Path.DirectorySeparatorChar, '/');
            if (joined.IndexOf('%') < 0) return joined;
            var text = new StringBuilder(joined.Length);
            for (int i = 0; i < joined.Length; i++)
            {
                if (joined[i] == '%' && i + 2 < joined.Length && IsHex(joined[i + 1]) && IsHex(joined[i + 2]))
                {
                    text.Append((char)Convert.ToInt32(joined.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else text.Append(joined[i]);
            }
            return text.ToString();
        }

        private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }
}
