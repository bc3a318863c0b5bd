using System;

namespace TraceCraft.Storage
{
    /// <summary>How to reach an S3-compatible server. <see cref="ToString"/> never shows the secret.</summary>
    public sealed class S3StoreOptions
    {
        /// <summary>Endpoint URL (MinIO, RGW, R2, SeaweedFS); empty for AWS itself.</summary>
        public string? Endpoint { get; init; }
        public string Bucket { get; init; } = "";
        /// <summary>Signing region. R2 wants "auto"; other servers accept "us-east-1".</summary>
        public string Region { get; init; } = "us-east-1";
        /// <summary>Explicit keys; when absent the SDK's chain (environment, profile) is used.</summary>
        public string? AccessKey { get; init; }
        public string? SecretKey { get; init; }
        public string? SessionToken { get; init; }
        /// <summary>Path-style addressing (MinIO, RGW, SeaweedFS need it). Default: on when an endpoint is given.</summary>
        public bool? ForcePathStyle { get; init; }
        /// <summary>
        /// Send If-Match with quotes. Ceph RGW 16 compares the header with the bare ETag and refuses a quoted
        /// one; AWS accepts both; R2 is reported to want quotes. Default false (bare), set true for R2.
        /// </summary>
        public bool QuoteIfMatch { get; init; }
        /// <summary>Time allowed for one HTTP request.</summary>
        public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
        /// <summary>Time allowed for one artifact upload or download request (large files on slow links).</summary>
        public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromHours(1);
        /// <summary>Time allowed for one operation including its retries of transient failures.</summary>
        public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(8);

        public override string ToString() =>
            $"S3 endpoint={Endpoint ?? "(AWS)"} bucket={Bucket} region={Region} accessKey={(AccessKey is null ? "(chain)" : "(set)")}";
    }
}
