using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Wire;
using TraceCraft.Keys;
using TraceCraft.Storage;

namespace TraceCraft.Protocol
{
    /// <summary>What an inbox read returns.</summary>
    public sealed class InboxQuery
    {
        /// <summary>Only messages no earlier read of this agent returned.</summary>
        public bool UnreadOnly { get; init; }
        /// <summary>List the whole inbox again instead of only what is new (also done every 5 minutes).</summary>
        public bool Refresh { get; init; }
        /// <summary>
        /// A consuming read (what <c>inbox --delete</c> does): returns only the messages this reader took, each of which
        /// no other reader of the same inbox returns; pass them to <see cref="MessageService.DeleteAsync"/> once shown.
        /// </summary>
        public bool Take { get; init; }
    }

    /// <summary>
    /// Direct and broadcast messages. Messages are immutable, so an inbox read lists only what is new, fetches only
    /// bodies it has not cached, and merges them with a local cache: the cost grows with what is new, not with the
    /// history. Deleting a broadcast hides it for this agent only (a per-agent receipt), never for the others.
    /// <para>
    /// Clocks. A key starts with the sender's clock (<c>&lt;ns&gt;_&lt;sender&gt;_&lt;hex8&gt;</c>, the original's layout), so a
    /// reader never lets a key move its cursor: each incremental listing starts at the reader's own store-corrected
    /// time of the previous listing less <see cref="SkewWindow"/>. Our senders stamp the key and <c>sent_at</c> with the
    /// store-corrected clock (S3's Date header; the folder store's clock is the machine's), so they are off by at most
    /// about 2 s. The promise: a sender off by any amount delays no other sender's message; a message from a sender
    /// ahead of the store's clock, or behind it by at most <see cref="SkewWindow"/> (60 s), is seen by the next read;
    /// one from a sender further behind (an original Python CLI with a slow clock) is seen by the next full listing,
    /// at most <see cref="FullRelistEvery"/> (5 min) later, or at once with <see cref="InboxQuery.Refresh"/>.
    /// </para>
    /// <para>
    /// Consuming reads (<see cref="InboxQuery.Take"/>) are exactly-once across concurrent readers of one inbox: before a
    /// message is returned, the reader creates <c>receipts/&lt;agent&gt;/taken/&lt;recipient&gt;/&lt;id&gt;.json</c> if absent, and
    /// only the reader whose create wins returns it, after checking that the message was not deleted (or, for a
    /// broadcast, hidden) meanwhile. <see cref="DeleteAsync"/> then deletes the message (hides a broadcast) and then the
    /// receipt. A reader that dies after taking a message but before deleting it leaves a receipt whose message still
    /// exists: a reader that sees the same version of that receipt for <see cref="TakenReceiptExpiry"/> (2 min, measured
    /// on its own clock between its own sightings, so skew cannot make a fresh receipt look old) takes it over with a
    /// compare-and-set (again only one wins); the message is then returned again (at least once across a crash, never lost). A receipt whose
    /// message is gone is removed by the sweep that runs with each full listing of a consuming read.
    /// </para>
    /// <para>
    /// Sizes. A message over <see cref="WireLimits.MaxObjectBytes"/> is refused at send; one already in the bucket
    /// (another client wrote it) is listed, not read: it is returned with a placeholder text, a warning names its key,
    /// and deleting it works as for any other message.
    /// </para>
    /// </summary>
    public sealed class MessageService
    {
        /// <summary>How far behind the reader's clock a sender may be and still be seen by the next incremental read.</summary>
        public static readonly TimeSpan SkewWindow = TimeSpan.FromSeconds(60);
        /// <summary>How often an inbox is listed whole (finds messages of senders further behind than the window).</summary>
        public static readonly TimeSpan FullRelistEvery = TimeSpan.FromMinutes(5);
        /// <summary>After this, a taken receipt whose message still exists belongs to a reader that died: it may be taken over.</summary>
        public static readonly TimeSpan TakenReceiptExpiry = TimeSpan.FromMinutes(2);
        private readonly TcSession _session;
        /// <summary>Messages this session took and has not deleted yet (their receipts go when they do).</summary>
        private readonly ConcurrentDictionary<string, byte> _taken = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);

        internal MessageService(TcSession session) => _session = session;

        /// <summary>Sends a message to an agent or to <c>_broadcast</c>.</summary>
        public async Task<Message> SendAsync(string to, string text, CancellationToken cancellationToken = default)
        {
            string recipient = IdValidator.ValidateRecipient(to);
            if (text is null) throw new TcException(TcErrorCode.InvalidArgument, "The message text is missing.");
            string what = $"The message to {recipient}";
            WireLimits.CheckValueLength(Encoding.UTF8.GetByteCount(text), what, recipient);
            // The key's time decides where readers look for it: stamp it with the store's clock, not ours.
            await _session.Clock.SyncAsync(_session.Store, cancellationToken).ConfigureAwait(false);
            var now = _session.Clock.Now;
            string key = _session.Layout.MessageKey(recipient, WireTime.ToUnixNanoseconds(now), _session.AgentId, RandomHex8());
            var message = new Message
            {
                Id = ProjectLayout.MessageIdOf(key),
                From = _session.AgentId,
                To = recipient,
                Kind = recipient == IdValidator.Broadcast ? MessageKind.Broadcast : MessageKind.Direct,
                Text = text,
                SentAt = now,
                Key = key,
            };
            byte[] body = MessageWire.Write(message);
            WireLimits.CheckWritable(body, what, key);
            // A fresh random key never exists: create-only makes a retried send after a lost response harmless.
            await _session.Store.PutAsync(key, body, WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
            return message;
        }

        /// <summary>The inbox: direct messages and others' broadcasts, sorted by the time they were sent.</summary>
        public async Task<IReadOnlyList<Message>> ReadAsync(InboxQuery? query = null, CancellationToken cancellationToken = default)
        {
            query ??= new InboxQuery();
            await _session.Clock.SyncAsync(_session.Store, cancellationToken).ConfigureAwait(false);
            var cache = InboxCache.Load(CacheFile, _session.Warn);
            // Our store-corrected time, taken before listing: the next listing starts from here less the skew window.
            var now = _session.Clock.Now;
            // The two listings and the receipts read do not depend on each other: one round trip instead of three.
            var listings = new[] { DirectPrefix, BroadcastPrefix }.Select(p => ListNewAsync(cache, p, query.Refresh, now, cancellationToken)).ToArray();
            var receipts = ReadReceiptsAsync(cache, cancellationToken);
            await Task.WhenAll(listings.Cast<Task>().Append(receipts)).ConfigureAwait(false);
            foreach (var listing in listings)
                await ApplyListingAsync(cache, listing.Result, now, cancellationToken).ConfigureAwait(false);
            var hidden = receipts.Result;

            var visible = cache.Messages.Values
                .Where(m => !(m.Message.Kind == MessageKind.Broadcast && (m.Message.From == _session.AgentId || hidden.Contains(m.Message.Id))))
                .Where(m => !query.UnreadOnly || !m.Seen)
                .OrderBy(m => m.Message.SentAt).ThenBy(m => m.Message.Key, StringComparer.Ordinal)
                .ToList();
            if (query.Take)
            {
                visible = await TakeAsync(cache, visible, cancellationToken).ConfigureAwait(false);
                if (listings[0].Result.Full) await SweepTakenReceiptsAsync(cache, cancellationToken).ConfigureAwait(false);
            }
            foreach (var m in visible)
            {
                m.Seen = true;
                if (m.OversizedBytes is long size)
                    _session.Warn($"The message '{m.Message.Key}' is {WireLimits.Size(size)}, over the limit of {WireLimits.Size(WireLimits.MaxObjectBytes)} for one object: it was not read. Deleting it (inbox --delete, Get-TcInbox -Delete) removes it.");
            }
            cache.Save(CacheFile);
            return visible.Select(m => m.Message).ToList();
        }

        /// <summary>Blocks until a message arrives that no earlier read returned, or the timeout passes (then returns none).</summary>
        public Task<IReadOnlyList<Message>> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            WaitAsync(timeout, new InboxQuery(), cancellationToken);

        /// <summary>
        /// Blocks until a read returns unread messages (with <see cref="InboxQuery.Take"/>: until this reader takes one),
        /// or the timeout passes (then returns none). <see cref="InboxQuery.UnreadOnly"/> is implied. After each empty read,
        /// <paramref name="progress"/> hears how long it has waited (for a progress display).
        /// </summary>
        public async Task<IReadOnlyList<Message>> WaitAsync(TimeSpan timeout, InboxQuery query, CancellationToken cancellationToken = default, IProgress<TimeSpan>? progress = null)
        {
            var poll = new InboxQuery { UnreadOnly = true, Take = query.Take, Refresh = query.Refresh };
            var watch = Stopwatch.StartNew();
            var interval = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                var unread = await ReadAsync(poll, cancellationToken).ConfigureAwait(false);
                if (unread.Count > 0 || watch.Elapsed >= timeout) return unread;
                progress?.Report(watch.Elapsed);
                poll = new InboxQuery { UnreadOnly = true, Take = query.Take };
                var left = timeout - watch.Elapsed;
                await Task.Delay(left < interval ? left : interval, cancellationToken).ConfigureAwait(false);
                interval = TimeSpan.FromMilliseconds(Math.Min(1000, interval.TotalMilliseconds * 1.5));
            }
        }

        /// <summary>
        /// Deletes messages that were read: direct ones from the store, broadcasts only for this agent (a receipt),
        /// then the receipts of those this session took. Returns how many were removed from this agent's inbox.
        /// </summary>
        public async Task<int> DeleteAsync(IEnumerable<Message> messages, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            var direct = list.Where(m => m.Kind == MessageKind.Direct).ToList();
            foreach (var m in direct)
            {
                if (!m.Key.StartsWith(DirectPrefix, StringComparison.Ordinal))
                    throw new TcException(TcErrorCode.InvalidArgument, $"Message {m.Id} is not in the inbox of {_session.AgentId}: only your own messages can be deleted.", m.Id);
            }
            await Parallelism.MapAsync(direct, m => _session.Store.DeleteAsync(m.Key, cancellationToken), cancellationToken).ConfigureAwait(false);
            var broadcasts = list.Where(m => m.Kind == MessageKind.Broadcast).Select(m => m.Id).ToList();
            if (broadcasts.Count > 0) await AddReceiptsAsync(broadcasts, cancellationToken).ConfigureAwait(false);
            // Only now that the message is gone (or hidden) may its receipt go: a receipt never outlives its claim early.
            var taken = list.Where(m => _taken.ContainsKey(m.Key)).ToList();
            await Parallelism.MapAsync(taken, m => _session.Store.DeleteAsync(TakenReceiptKey(m.Key), cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var m in taken) _taken.TryRemove(m.Key, out _);

            var cache = InboxCache.Load(CacheFile, _session.Warn);
            foreach (var m in list) cache.Messages.Remove(m.Key);
            cache.Save(CacheFile);
            return list.Count;
        }

        private string DirectPrefix => _session.Layout.MessagesPrefix(_session.AgentId);
        private string BroadcastPrefix => _session.Layout.MessagesPrefix(IdValidator.Broadcast);
        private string CacheFile => System.IO.Path.Combine(_session.PrivateCacheFolder("inbox"), "inbox.json");
        private string TakenReceiptKey(string messageKey) => _session.Layout.TakenReceiptKey(_session.AgentId, messageKey);

        /// <summary>What one listing of a prefix found, and where it started.</summary>
        private sealed class Listing
        {
            public string Prefix = "";
            public string? StartAfter;
            public bool Full;
            public InboxCursor? Cursor;
            public List<ObjectInfo> Objects = new List<ObjectInfo>();
        }

        /// <summary>Lists a prefix from the cursor (less the skew window), or whole every 5 minutes. Reads the cache only.</summary>
        private async Task<Listing> ListNewAsync(InboxCache cache, string prefix, bool refresh, DateTimeOffset now, CancellationToken cancellationToken)
        {
            cache.Cursors.TryGetValue(prefix, out var cursor);
            bool full = refresh || cursor is null || now - cursor.FullListAt > FullRelistEvery || now < cursor.FullListAt;
            string? startAfter = full ? null : WindowStart(prefix, cursor!.ListedAt);
            var objects = await _session.Store.ListAllAsync(prefix, startAfter, cancellationToken).ConfigureAwait(false);
            return new Listing { Prefix = prefix, StartAfter = startAfter, Full = full, Cursor = cursor, Objects = objects };
        }

        /// <summary>Drops what the listing covered but no longer holds, fetches the bodies not cached yet, moves the cursor.</summary>
        private async Task ApplyListingAsync(InboxCache cache, Listing listing, DateTimeOffset now, CancellationToken cancellationToken)
        {
            string prefix = listing.Prefix;
            bool broadcast = prefix == BroadcastPrefix;
            var listedKeys = new HashSet<string>(listing.Objects.Select(o => o.Key), StringComparer.Ordinal);

            // Deleted meanwhile (by us elsewhere, or by the original's --delete).
            foreach (var gone in cache.Messages.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)
                         && (listing.StartAfter is null || string.CompareOrdinal(k, listing.StartAfter) > 0) && !listedKeys.Contains(k)).ToList())
                cache.Messages.Remove(gone);

            var fresh = listing.Objects.Where(o => o.Key.EndsWith(".json", StringComparison.Ordinal) && !cache.Messages.ContainsKey(o.Key)).ToList();
            // Too big to read (another client wrote it): listed with a placeholder, so that it is seen and can be deleted.
            foreach (var big in fresh.Where(o => o.Size > WireLimits.MaxObjectBytes))
                cache.Messages[big.Key] = new CachedMessage(Placeholder(big, broadcast), seen: false, oversizedBytes: big.Size);
            var small = fresh.Where(o => o.Size <= WireLimits.MaxObjectBytes).Select(o => o.Key).ToList();
            var bodies = await Parallelism.MapAsync(small, k => _session.Store.GetAsync(k, null, cancellationToken), cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < small.Count; i++)
            {
                if (!bodies[i].Found) continue;
                try
                {
                    cache.Messages[small[i]] = new CachedMessage(MessageWire.Read(small[i], bodies[i].Body!, broadcast), seen: false);
                }
                catch (TcException e) when (e.Code == TcErrorCode.CorruptObject)
                {
                    _session.Warn($"Skipped message '{small[i]}': {e.Message}");
                }
            }

            // The cursor is our own clock, never a key: a key from a sender's fast clock must not move it.
            cache.Cursors[prefix] = new InboxCursor(now, listing.Full ? now : listing.Cursor!.FullListAt);
        }

        /// <summary>The key to list after: a time less the skew window, as a key prefix (keys start with 19-digit nanoseconds).</summary>
        private static string? WindowStart(string prefix, DateTimeOffset listedAt)
        {
            long start = WireTime.ToUnixNanoseconds(listedAt - SkewWindow);
            return start <= 0 ? null : prefix + start.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>A message that is too big to read, shown from what its key tells.</summary>
        private Message Placeholder(ObjectInfo info, bool broadcast)
        {
            string id = ProjectLayout.MessageIdOf(info.Key);
            ProjectLayout.ReadMessageId(id, out string? sender, out DateTimeOffset? sentAt);
            return new Message
            {
                Id = id,
                From = sender ?? "?",
                To = broadcast ? IdValidator.Broadcast : _session.AgentId,
                Kind = broadcast ? MessageKind.Broadcast : MessageKind.Direct,
                Text = $"(not shown: this message is {WireLimits.Size(info.Size)}, over the limit of {WireLimits.Size(WireLimits.MaxObjectBytes)} for one object)",
                SentAt = sentAt ?? info.LastModified,
                Key = info.Key,
            };
        }

        private enum TakeOutcome { Taken, TakenByOther, Gone }

        /// <summary>Takes what it can of the candidates (one receipt each, in parallel); returns those this reader took.</summary>
        private async Task<List<CachedMessage>> TakeAsync(InboxCache cache, List<CachedMessage> candidates, CancellationToken cancellationToken)
        {
            if (candidates.Count == 0) return candidates;
            var outcomes = await Parallelism.MapAsync(candidates, m => TryTakeAsync(cache, m, cancellationToken), cancellationToken).ConfigureAwait(false);
            var taken = new List<CachedMessage>();
            for (int i = 0; i < candidates.Count; i++)
            {
                if (outcomes[i] != TakeOutcome.TakenByOther) cache.Contested.Remove(candidates[i].Message.Key);
                if (outcomes[i] == TakeOutcome.Taken) taken.Add(candidates[i]);
                else if (outcomes[i] == TakeOutcome.Gone) cache.Messages.Remove(candidates[i].Message.Key);
                // Taken by another reader: left unseen, so that it comes back if that reader dies before deleting it.
            }

            // A broadcast is never deleted, only hidden: re-read the hidden list, which the other reader wrote before it
            // released its receipt, so that a receipt we created after that release gives nothing back twice.
            if (taken.Any(m => m.Message.Kind == MessageKind.Broadcast))
            {
                var hidden = await ReadReceiptsAsync(cache, cancellationToken).ConfigureAwait(false);
                var already = taken.Where(m => m.Message.Kind == MessageKind.Broadcast && hidden.Contains(m.Message.Id)).ToList();
                await Parallelism.MapAsync(already, m => ReleaseAsync(m.Message.Key, cancellationToken), cancellationToken).ConfigureAwait(false);
                foreach (var m in already) taken.Remove(m);
            }
            return taken;
        }

        private async Task<TakeOutcome> TryTakeAsync(InboxCache cache, CachedMessage candidate, CancellationToken cancellationToken)
        {
            var message = candidate.Message;
            string receipt = TakenReceiptKey(message.Key);
            byte[] body = ReceiptWire.WriteTaken(_session.AgentId, message.Key, _session.Clock.Now);
            bool won = false;
            for (int attempt = 0; attempt < 3 && !won; attempt++)
            {
                var created = await _session.Store.PutAsync(receipt, body, WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
                if (created.Written) { won = true; break; }
                var existing = await _session.Store.GetAsync(receipt, null, cancellationToken).ConfigureAwait(false);
                if (!existing.Found) continue; // released between our create and our read: try the create again
                if (!HasExpired(cache, message.Key, existing.ETag ?? "")) return TakeOutcome.TakenByOther;
                // The same receipt for longer than the expiry: its taker died before deleting the message. Take it
                // over with a compare-and-set on the version we saw, so that of several readers doing so one wins.
                var takeover = await _session.Store.PutAsync(receipt, body, WriteCondition.IfMatch(existing.ETag!), "application/json", cancellationToken).ConfigureAwait(false);
                if (!takeover.Written) return TakeOutcome.TakenByOther;
                won = true;
            }
            if (!won) return TakeOutcome.TakenByOther;

            // Our create may come after another reader took the message, deleted it and released its receipt.
            if (!await MessageExistsAsync(candidate, cancellationToken).ConfigureAwait(false))
            {
                await ReleaseAsync(message.Key, cancellationToken).ConfigureAwait(false);
                return TakeOutcome.Gone;
            }
            _taken[message.Key] = 0;
            return TakeOutcome.Taken;
        }

        /// <summary>
        /// Whether another reader's receipt (this version of it) has been there for <see cref="TakenReceiptExpiry"/>, by
        /// this reader's own clock: the first sighting is recorded, a later one compares. Never another clock's time.
        /// </summary>
        private bool HasExpired(InboxCache cache, string messageKey, string etag)
        {
            var now = _session.Clock.Now;
            lock (cache.Contested)
            {
                if (!cache.Contested.TryGetValue(messageKey, out var seen) || seen.ETag != etag || now < seen.FirstSeen)
                {
                    cache.Contested[messageKey] = new ContestedReceipt(etag, now);
                    return false;
                }
                return now - seen.FirstSeen >= TakenReceiptExpiry;
            }
        }

        private async Task<bool> MessageExistsAsync(CachedMessage message, CancellationToken cancellationToken)
        {
            string key = message.Message.Key;
            if (message.OversizedBytes is null)
                return (await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false)).Found;
            // Too big to fetch: ask a listing instead.
            var page = await _session.Store.ListAsync(key, null, 1, cancellationToken).ConfigureAwait(false);
            return page.Objects.Count > 0 && page.Objects[0].Key == key;
        }

        private async Task<bool> ReleaseAsync(string messageKey, CancellationToken cancellationToken)
        {
            _taken.TryRemove(messageKey, out _);
            return await _session.Store.DeleteAsync(TakenReceiptKey(messageKey), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Removes taken receipts whose message is gone (a reader died between deleting the message and its receipt).
        /// Only receipts older than <see cref="TakenReceiptExpiry"/> are looked at, so a reader at work is never disturbed;
        /// a receipt whose message still exists is left for a take-over.
        /// </summary>
        private async Task SweepTakenReceiptsAsync(InboxCache cache, CancellationToken cancellationToken)
        {
            var now = _session.Clock.Now;
            var receipts = await _session.Store.ListAllAsync(_session.Layout.TakenReceiptsPrefix(_session.AgentId), null, cancellationToken).ConfigureAwait(false);
            var old = receipts.Where(r => now - r.LastModified >= TakenReceiptExpiry).ToList();
            if (old.Count == 0) return;
            var hidden = await ReadReceiptsAsync(cache, cancellationToken).ConfigureAwait(false);
            await Parallelism.MapAsync(old, async r =>
            {
                string messageKey = _session.Layout.MessageKeyOfTakenReceipt(_session.AgentId, r.Key);
                bool done = (messageKey.StartsWith(BroadcastPrefix, StringComparison.Ordinal) && hidden.Contains(ProjectLayout.MessageIdOf(messageKey)))
                    || !(await _session.Store.GetAsync(messageKey, null, cancellationToken).ConfigureAwait(false)).Found;
                if (done) await _session.Store.DeleteAsync(r.Key, cancellationToken).ConfigureAwait(false);
                return done;
            }, cancellationToken).ConfigureAwait(false);
        }

        private async Task<HashSet<string>> ReadReceiptsAsync(InboxCache cache, CancellationToken cancellationToken)
        {
            string key = _session.Layout.ReceiptsKey(_session.AgentId);
            var read = await _session.Store.GetAsync(key, cache.ReceiptsETag, cancellationToken).ConfigureAwait(false);
            if (read.Status == ReadStatus.NotModified) return new HashSet<string>(cache.HiddenBroadcasts, StringComparer.Ordinal);
            cache.HiddenBroadcasts.Clear();
            cache.ReceiptsETag = null;
            if (read.Found)
            {
                try
                {
                    cache.HiddenBroadcasts.AddRange(ReceiptWire.ReadHiddenBroadcasts(key, read.Body!));
                    cache.ReceiptsETag = read.ETag;
                }
                catch (TcException e) when (e.Code == TcErrorCode.CorruptObject)
                {
                    _session.Warn($"Ignored the receipts '{key}': {e.Message}");
                }
            }
            return new HashSet<string>(cache.HiddenBroadcasts, StringComparer.Ordinal);
        }

        private async Task AddReceiptsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
        {
            string key = _session.Layout.ReceiptsKey(_session.AgentId);
            for (int attempt = 0; attempt < 10; attempt++)
            {
                var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
                var hidden = new List<string>();
                if (read.Found)
                {
                    try
                    {
                        hidden.AddRange(ReceiptWire.ReadHiddenBroadcasts(key, read.Body!));
                    }
                    catch (TcException e) when (e.Code == TcErrorCode.CorruptObject)
                    {
                        _session.Warn($"Replaced the unreadable receipts '{key}': {e.Message}");
                    }
                }
                foreach (var id in ids) if (!hidden.Contains(id)) hidden.Add(id);
                byte[] body = ReceiptWire.WriteHiddenBroadcasts(_session.AgentId, hidden);
                var condition = read.Found ? WriteCondition.IfMatch(read.ETag!) : WriteCondition.IfAbsent;
                var result = await _session.Store.PutAsync(key, body, condition, "application/json", cancellationToken).ConfigureAwait(false);
                if (result.Written) return;
            }
            throw new TcException(TcErrorCode.StoreFailed, $"Could not record the deleted broadcasts for {_session.AgentId}: the receipts kept changing.", key);
        }

        private static string RandomHex8()
        {
            var bytes = new byte[4];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            return BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
        }
    }
}
