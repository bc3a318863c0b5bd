using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TraceCraft.Storage
{
    /// <summary>
    /// The one storage contract every backend honours. Expected outcomes (not found, not modified,
    /// precondition failed) are values; only real failures throw <see cref="Errors.TcException"/>.
    /// Keys are '/'-separated object keys; ETags are bare (no quotes).
    /// </summary>
    public interface IObjectStore : IDisposable
    {
        /// <summary>Where the store lives, for messages (never contains a secret).</summary>
        string Location { get; }

        /// <summary>Reads an object. With <paramref name="ifNoneMatch"/>, an unchanged object answers NotModified.</summary>
        Task<ObjectRead> GetAsync(string key, string? ifNoneMatch = null, CancellationToken cancellationToken = default);

        /// <summary>Writes an object under a condition. A failed condition is a value, never an exception.</summary>
        Task<WriteResult> PutAsync(string key, byte[] body, WriteCondition condition, string? contentType = null, CancellationToken cancellationToken = default);

        /// <summary>Streams a (possibly large) object in, unconditionally or if absent.</summary>
        Task<WriteResult> UploadAsync(string key, Stream content, WriteCondition condition, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

        /// <summary>Streams an object out into <paramref name="destination"/>; false when it does not exist.</summary>
        Task<ObjectInfo?> DownloadAsync(string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

        /// <summary>Deletes an object; true when something was deleted (S3 cannot tell, and answers true).</summary>
        Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

        /// <summary>One page of keys under a prefix, in key order, strictly after <paramref name="startAfter"/>.</summary>
        Task<ListPage> ListAsync(string prefix, string? startAfter = null, int maxKeys = 1000, CancellationToken cancellationToken = default);

        /// <summary>The store's clock (S3: the Date header of a response); used to correct lease times.</summary>
        Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default);
    }

    public enum ReadStatus { Found, NotFound, NotModified }

    /// <summary>The outcome of a read.</summary>
    public sealed class ObjectRead
    {
        public static readonly ObjectRead Missing = new ObjectRead(ReadStatus.NotFound, null, null, null);

        public ObjectRead(ReadStatus status, byte[]? body, string? etag, DateTimeOffset? lastModified)
        {
            Status = status;
            Body = body;
            ETag = etag;
            LastModified = lastModified;
        }

        public ReadStatus Status { get; }
        public byte[]? Body { get; }
        public string? ETag { get; }
        public DateTimeOffset? LastModified { get; }
        public bool Found => Status == ReadStatus.Found;
    }

    public enum WriteConditionKind { None, IfAbsent, IfMatch }

    /// <summary>When a write may happen: always, only if the key is absent, or only if its ETag matches.</summary>
    public readonly struct WriteCondition
    {
        private WriteCondition(WriteConditionKind kind, string? etag)
        {
            Kind = kind;
            ETag = etag;
        }

        public WriteConditionKind Kind { get; }
        public string? ETag { get; }

        public static WriteCondition None => default;
        public static WriteCondition IfAbsent => new WriteCondition(WriteConditionKind.IfAbsent, null);

        public static WriteCondition IfMatch(string etag)
        {
            if (string.IsNullOrEmpty(etag)) throw new ArgumentException("An ETag is required.", nameof(etag));
            return new WriteCondition(WriteConditionKind.IfMatch, ETagText.Bare(etag));
        }

        public override string ToString() => Kind switch
        {
            WriteConditionKind.IfAbsent => "If-None-Match: *",
            WriteConditionKind.IfMatch => "If-Match: " + ETag,
            _ => "unconditional",
        };
    }

    /// <summary>The outcome of a write: done (with the new ETag) or refused by its condition.</summary>
    public sealed class WriteResult
    {
        public static readonly WriteResult PreconditionFailed = new WriteResult(false, null);

        public WriteResult(bool written, string? etag)
        {
            Written = written;
            ETag = etag;
        }

        public bool Written { get; }
        public string? ETag { get; }
    }

    /// <summary>A key and what a listing tells of it.</summary>
    public sealed class ObjectInfo
    {
        public ObjectInfo(string key, long size, DateTimeOffset lastModified, string? etag)
        {
            Key = key;
            Size = size;
            LastModified = lastModified;
            ETag = etag;
        }

        public string Key { get; }
        public long Size { get; }
        public DateTimeOffset LastModified { get; }
        public string? ETag { get; }
    }

    /// <summary>One page of a listing; <see cref="IsTruncated"/> says whether to ask again after the last key.</summary>
    public sealed class ListPage
    {
        public ListPage(IReadOnlyList<ObjectInfo> objects, bool isTruncated)
        {
            Objects = objects;
            IsTruncated = isTruncated;
        }

        public IReadOnlyList<ObjectInfo> Objects { get; }
        public bool IsTruncated { get; }
    }

    /// <summary>ETags travel bare inside the engine; S3 sends them quoted.</summary>
    public static class ETagText
    {
        public static string Bare(string etag) => etag.Trim().Trim('"');
        public static string Quoted(string etag) => "\"" + Bare(etag) + "\"";
    }
}
