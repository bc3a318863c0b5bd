using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Storage;
using TraceCraft.Wire;

namespace TraceCraft.Protocol
{
    /// <summary>What one refresh of an <see cref="ObjectMirror"/> holds: every wanted object under the prefix, as of its listing.</summary>
    internal sealed class MirrorSnapshot
    {
        public MirrorSnapshot(IReadOnlyDictionary<string, ObjectRead> objects, IReadOnlyDictionary<string, string> unreadable, int listingPages, int requests)
        {
            ListingPages = listingPages;
            Objects = objects;
            Unreadable = unreadable;
            Requests = requests;
        }

        /// <summary>Each listed object, by key, with the body and ETag of its last read.</summary>
        public IReadOnlyDictionary<string, ObjectRead> Objects { get; }
        /// <summary>Listed objects that could not be read (too big, a bad key), with the reason: a reader skips what they belong to.</summary>
        public IReadOnlyDictionary<string, string> Unreadable { get; }
        /// <summary>The listing's pages: what a refresh costs when nothing changed.</summary>
        public int ListingPages { get; }
        /// <summary>Requests this refresh made: the listing's pages and the reads of changed objects.</summary>
        public int Requests { get; }

        public ObjectRead? Find(string key) => Objects.TryGetValue(key, out var read) ? read : null;
    }

    /// <summary>
    /// A local mirror of the objects under one prefix (the step objects, the agent records), brought up to date by one
    /// listing: an object is read only when what the listing says of it changed since it was last read. Reading a
    /// project of N objects thus costs N ÷ 1,000 listing pages plus one GET per changed object, instead of N GETs.
    /// <para>
    /// What the listing says of an object is its ETag on S3 (a content hash, so an unchanged ETag means unchanged bytes),
    /// else (the folder store) its size and modification time. Those can miss a same-size rewrite within one tick of
    /// the file system's clock, so, as git does for its index, a copy read less than one tick (<see cref="RacyWindow"/>) after
    /// the object's modification time is not trusted: the object is read again until a read comes later than that. The mirror is kept in the agent's private cache folder between calls (every
    /// `tracecraft` call is a new process); it is only ever a shortcut: a lost or unreadable copy is rebuilt from the store,
    /// and nothing is taken from it that the current listing does not vouch for.
    /// </para>
    /// </summary>
    internal sealed class ObjectMirror
    {
        /// <summary>
        /// How long after an object's modification time a copy must have been read to be trusted by its size and time: the
        /// tick of the coarsest file-system clock (FAT's 2 s). A time with a fraction of a second comes from a fine clock, whose
        /// real tick is the kernel's timer (ext4: a few ms; NTFS: about 16 ms): <see cref="FineRacyWindow"/> covers it.
        /// </summary>
        public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);
        public static readonly TimeSpan FineRacyWindow = TimeSpan.FromMilliseconds(100);
        private readonly TcSession _session;
        private readonly string _prefix;
        private readonly Func<string, bool> _wanted;
        private readonly string _name;
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private Dictionary<string, MirrorEntry>? _entries;

        /// <param name="session">The session whose store is mirrored and whose private cache folder keeps the copy.</param>
        /// <param name="name">The copy's file name in the cache folder.</param>
        /// <param name="prefix">The prefix listed.</param>
        /// <param name="wanted">Which listed keys to mirror (the others are not read).</param>
        public ObjectMirror(TcSession session, string name, string prefix, Func<string, bool> wanted)
        {
            _session = session;
            _name = name;
            _prefix = prefix;
            _wanted = wanted;
        }

        private string CopyFile => Path.Combine(_session.PrivateCacheFolder("mirror"), _name + ".json");

        /// <summary>Lists the prefix and reads what changed; returns every wanted object it holds.</summary>
        public async Task<MirrorSnapshot> RefreshAsync(CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var entries = _entries ??= Load();
                var listedAt = DateTimeOffset.UtcNow;
                var listed = await _session.Store.ListAllAsync(_prefix, null, cancellationToken).ConfigureAwait(false);
                int pages = ObjectStoreExtensions.ListPagesFor(listed.Count), requests = pages;
                var wanted = listed.Where(o => _wanted(o.Key)).ToList();
                bool changed = false;

                // Gone from the listing: gone from the mirror.
                var present = new HashSet<string>(wanted.Select(o => o.Key), StringComparer.Ordinal);
                foreach (var key in entries.Keys.Where(k => !present.Contains(k)).ToList())
                {
                    entries.Remove(key);
                    changed = true;
                }

                var stale = wanted.Where(o => !(entries.TryGetValue(o.Key, out var e) && e.Token == TokenOf(o) && Trusted(o, e))).ToList();
                var unreadable = new Dictionary<string, string>(StringComparer.Ordinal);
                var reads = await Parallelism.MapAsync(stale, async o =>
                {
                    try { return (o, Read: await _session.Store.GetAsync(o.Key, null, cancellationToken).ConfigureAwait(false), Error: (string?)null); }
                    catch (TcException e) when (e.Code is TcErrorCode.CorruptObject or TcErrorCode.InvalidIdentifier or TcErrorCode.ValueTooLarge)
                    {
                        return (o, Read: (ObjectRead?)null, Error: e.Message);
                    }
                }, cancellationToken).ConfigureAwait(false);
                requests += stale.Count;
                foreach (var (o, read, error) in reads)
                {
                    if (error is not null) { unreadable[o.Key] = error; entries.Remove(o.Key); changed = true; continue; }
                    if (read is null || !read.Found) { entries.Remove(o.Key); changed = true; continue; }   // deleted since the listing
                    // Kept under what the listing said, even if the read saw a newer version: the next listing then differs
                    // and the object is read again, never the other way round.
                    entries[o.Key] = new MirrorEntry(TokenOf(o), read.ETag, read.Body!, o.LastModified, listedAt);
                    changed = true;
                }

                if (changed) Save(entries);
                var objects = new Dictionary<string, ObjectRead>(StringComparer.Ordinal);
                foreach (var o in wanted)
                    if (entries.TryGetValue(o.Key, out var e)) objects[o.Key] = new ObjectRead(ReadStatus.Found, e.Body, e.ETag, e.LastModified);
                return new MirrorSnapshot(objects, unreadable, pages, requests);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>What a listing says of an object's version: its ETag where the store lists one (S3), else its size and time.</summary>
        private static string TokenOf(ObjectInfo o) => o.ETag ?? $"{o.Size}@{o.LastModified.UtcTicks}";

        /// <summary>An ETag names the bytes; a size and time only once the copy was read well after that time.</summary>
        private static bool Trusted(ObjectInfo o, MirrorEntry copy) =>
            o.ETag is not null || o.LastModified <= copy.ReadAt - (o.LastModified.UtcTicks % TimeSpan.TicksPerSecond == 0 ? RacyWindow : FineRacyWindow);

        private Dictionary<string, MirrorEntry> Load()
        {
            string file = CopyFile;
            if (!File.Exists(file)) return new Dictionary<string, MirrorEntry>(StringComparer.Ordinal);
            try
            {
                return ObjectMirrorWire.Read(File.ReadAllBytes(file), _prefix);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException)
            {
                _session.Warn($"The local mirror '{file}' was unreadable and is rebuilt from the store ({e.Message}).");
                return new Dictionary<string, MirrorEntry>(StringComparer.Ordinal);
            }
        }

        private void Save(Dictionary<string, MirrorEntry> entries)
        {
            try
            {
                LocalFiles.WriteAtomic(CopyFile, ObjectMirrorWire.Write(_prefix, entries));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A mirror that cannot be kept only costs the next call its reads.
                _session.Warn($"The local mirror could not be saved ({e.Message}); the next call reads the store again.");
            }
        }
    }

    /// <summary>One mirrored object: what the listing said of it when it was read, and what the read returned.</summary>
    internal sealed class MirrorEntry
    {
        public MirrorEntry(string token, string? etag, byte[] body, DateTimeOffset lastModified, DateTimeOffset readAt)
        {
            ReadAt = readAt;
            Token = token;
            ETag = etag;
            Body = body;
            LastModified = lastModified;
        }

        public string Token { get; }
        public string? ETag { get; }
        public byte[] Body { get; }
        public DateTimeOffset LastModified { get; }
        /// <summary>When the listing that led to the read began (this machine's clock, as the folder store's times are).</summary>
        public DateTimeOffset ReadAt { get; }
    }
}
