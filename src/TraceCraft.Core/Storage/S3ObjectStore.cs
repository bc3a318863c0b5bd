using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using TraceCraft.Errors;

namespace TraceCraft.Storage
{
    /// <summary>
    /// The S3 backend (AWSSDK.S3 v4): AWS, MinIO, Ceph RGW, R2, SeaweedFS. One attempt per call: failures that a
    /// retry may cure are marked transient, and <see cref="RetryingStore"/> decides what to retry.
    /// </summary>
    public sealed class S3ObjectStore : IObjectStore
    {
        private readonly S3StoreOptions _options;
        private readonly AmazonS3Client _client;
        // Artifacts may be large: their requests get a long timeout of their own, while small coordination
        // requests keep the short one that makes an unreachable server fail fast.
        private readonly AmazonS3Client _transferClient;
        private readonly HttpClient _timeClient;

        public S3ObjectStore(S3StoreOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.Bucket))
                throw new TcException(TcErrorCode.ConfigInvalid, "No bucket is configured: set 'bucket' in the config or pass -Bucket.");
            _options = options;
            _client = CreateClient(options, options.RequestTimeout);
            _transferClient = CreateClient(options, options.TransferTimeout);
            _timeClient = new HttpClient { Timeout = options.RequestTimeout };
        }

        public string Location => $"s3://{_options.Bucket} at {_options.Endpoint ?? "AWS " + _options.Region}";

        public S3StoreOptions Options => _options;

        private static AmazonS3Client CreateClient(S3StoreOptions options, TimeSpan timeout)
        {
            var config = new AmazonS3Config
            {
                // RGW 16 (and older MinIO, R2) reject the v4 default of chunked bodies with trailing checksums.
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
                // Our own retry loop knows which failures are safe to repeat; the SDK's does not.
                MaxErrorRetry = 0,
                Timeout = timeout,
            };
            if (!string.IsNullOrEmpty(options.Endpoint))
            {
                config.ServiceURL = options.Endpoint;
                config.AuthenticationRegion = options.Region;
                config.ForcePathStyle = options.ForcePathStyle ?? true;
            }
            else
            {
                config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
                config.ForcePathStyle = options.ForcePathStyle ?? false;
            }

            if (!string.IsNullOrEmpty(options.AccessKey) && !string.IsNullOrEmpty(options.SecretKey))
            {
                AWSCredentials credentials = string.IsNullOrEmpty(options.SessionToken)
                    ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
                    : new SessionAWSCredentials(options.AccessKey, options.SecretKey, options.SessionToken);
                return new AmazonS3Client(credentials, config);
            }
            // Environment variables, then the shared profile chain.
            return new AmazonS3Client(config);
        }

        public Task<ObjectRead> GetAsync(string key, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
            Attempt(key, async ct =>
            {
                var request = new GetObjectRequest { BucketName = _options.Bucket, Key = key };
                if (ifNoneMatch is not null) request.EtagToNotMatch = ETagText.Quoted(ifNoneMatch);
                try
                {
                    using var response = await _client.GetObjectAsync(request, ct).ConfigureAwait(false);
                    using var buffer = new MemoryStream(response.ContentLength > 0 && response.ContentLength < int.MaxValue ? (int)response.ContentLength : 256);
                    await response.ResponseStream.CopyToAsync(buffer, 81920, ct).ConfigureAwait(false);
                    return new ObjectRead(ReadStatus.Found, buffer.ToArray(), BareOrNull(response.ETag), ToOffset(response.LastModified));
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotModified)
                {
                    return new ObjectRead(ReadStatus.NotModified, null, ifNoneMatch, null);
                }
                catch (AmazonS3Exception e) when (IsMissingKey(e))
                {
                    return ObjectRead.Missing;
                }
            }, cancellationToken);

        public Task<WriteResult> PutAsync(string key, byte[] body, WriteCondition condition, string? contentType = null, CancellationToken cancellationToken = default) =>
            Attempt(key, async ct =>
            {
                var request = new PutObjectRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    InputStream = new MemoryStream(body, writable: false),
                    AutoCloseStream = true,
                    ContentType = contentType,
                    UseChunkEncoding = false,
                };
                return await PutWithConditionAsync(_client, request, condition, ct).ConfigureAwait(false);
            }, cancellationToken);

        public Task<WriteResult> UploadAsync(string key, Stream content, WriteCondition condition, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
            Attempt(key, async ct =>
            {
                if (content.CanSeek) content.Position = 0;
                var request = new PutObjectRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    InputStream = content,
                    AutoCloseStream = false,
                    UseChunkEncoding = false,
                };
                if (progress is not null)
                    request.StreamTransferProgress += (_, e) => progress.Report(e.TransferredBytes);
                return await PutWithConditionAsync(_transferClient, request, condition, ct).ConfigureAwait(false);
            }, cancellationToken);

        public Task<ObjectInfo?> DownloadAsync(string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
            Attempt(key, async ct =>
            {
                if (destination.CanSeek) { destination.Position = 0; destination.SetLength(0); }
                try
                {
                    using var response = await _transferClient.GetObjectAsync(new GetObjectRequest { BucketName = _options.Bucket, Key = key }, ct).ConfigureAwait(false);
                    long total = await StreamCopy.CopyAsync(response.ResponseStream, destination, progress, ct).ConfigureAwait(false);
                    return (ObjectInfo?)new ObjectInfo(key, total, ToOffset(response.LastModified) ?? DateTimeOffset.UtcNow, BareOrNull(response.ETag));
                }
                catch (AmazonS3Exception e) when (IsMissingKey(e))
                {
                    return null;
                }
            }, cancellationToken);

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
            Attempt(key, async ct =>
            {
                await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = key }, ct).ConfigureAwait(false);
                return true;
            }, cancellationToken);

        public Task<ListPage> ListAsync(string prefix, string? startAfter = null, int maxKeys = 1000, CancellationToken cancellationToken = default) =>
            Attempt(prefix, async ct =>
            {
                var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = prefix, MaxKeys = maxKeys };
                if (!string.IsNullOrEmpty(startAfter)) request.StartAfter = startAfter;
                var response = await _client.ListObjectsV2Async(request, ct).ConfigureAwait(false);
                var objects = (response.S3Objects ?? new List<S3Object>())
                    .Select(o => new ObjectInfo(o.Key, o.Size ?? 0, ToOffset(o.LastModified) ?? DateTimeOffset.MinValue, BareOrNull(o.ETag)))
                    .ToList();
                return new ListPage(objects, response.IsTruncated ?? false);
            }, cancellationToken);

        /// <summary>Creates the bucket when it does not exist (what the original's init does).</summary>
        public Task EnsureBucketAsync(CancellationToken cancellationToken = default) =>
            Attempt(_options.Bucket, async ct =>
            {
                try
                {
                    await _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket }, ct).ConfigureAwait(false);
                }
                catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
                {
                }
                return true;
            }, cancellationToken);

        public async Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default)
        {
            // Any response carries a Date header, even an unsigned request's 403: no credentials are sent.
            var url = !string.IsNullOrEmpty(_options.Endpoint) ? _options.Endpoint! : $"https://s3.{_options.Region}.amazonaws.com/";
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Head, url);
                using var response = await _timeClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.Headers.Date is DateTimeOffset date) return date;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Fall back to the local clock: the lease then tolerates only the real skew (documented).
            }
            return DateTimeOffset.UtcNow;
        }

        private async Task<WriteResult> PutWithConditionAsync(AmazonS3Client client, PutObjectRequest request, WriteCondition condition, CancellationToken cancellationToken)
        {
            ApplyCondition(request, condition);
            try
            {
                var response = await client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
                return new WriteResult(true, BareOrNull(response.ETag));
            }
            catch (AmazonS3Exception e) when (condition.Kind != WriteConditionKind.None && IsLostRace(e))
            {
                return WriteResult.PreconditionFailed;
            }
        }

        private void ApplyCondition(PutObjectRequest request, WriteCondition condition)
        {
            switch (condition.Kind)
            {
                case WriteConditionKind.IfAbsent:
                    request.IfNoneMatch = "*";
                    break;
                case WriteConditionKind.IfMatch:
                    request.IfMatch = _options.QuoteIfMatch ? ETagText.Quoted(condition.ETag!) : ETagText.Bare(condition.ETag!);
                    break;
            }
        }

        private static bool IsMissingKey(AmazonS3Exception e) =>
            e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket";

        /// <summary>
        /// 412 is the refused condition. AWS answers 409 ConditionalRequestConflict when conditional writes race,
        /// RGW 16 sometimes 500 (ECANCELED): neither write was applied, so both mean "lost the race, re-read".
        /// AWS answers 404 to If-Match on a missing key.
        /// </summary>
        private static bool IsLostRace(AmazonS3Exception e) =>
            e.StatusCode == HttpStatusCode.PreconditionFailed
            || e.StatusCode == HttpStatusCode.Conflict
            || (e.StatusCode == HttpStatusCode.InternalServerError && e.ErrorCode is null or "UnknownError" or "InternalError")
            || (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey");

        /// <summary>One attempt; failures become TcExceptions that say whether a retry may help (see RetryingStore).</summary>
        private async Task<T> Attempt<T>(string target, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not TcException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw Classify(e, target);
            }
        }

        private static bool IsTransient(Exception e) => e switch
        {
            AmazonS3Exception s3 => (int)s3.StatusCode >= 500 || s3.StatusCode == (HttpStatusCode)429,
            AmazonServiceException service => service.StatusCode == 0 || (int)service.StatusCode >= 500,
            _ => true,
        };

        private TcException Classify(Exception e, string target)
        {
            var failure = Describe(e, target);
            return failure.Code is TcErrorCode.StoreUnreachable or TcErrorCode.StoreFailed && IsTransient(e)
                ? new TcException(failure.Code, failure.Message, failure.Target, e) { IsTransient = true }
                : failure;
        }

        private TcException Describe(Exception e, string target)
        {
            string where = _options.Endpoint ?? ("AWS " + _options.Region);
            switch (e)
            {
                case AmazonS3Exception s3 when s3.ErrorCode == "NoSuchBucket":
                    return new TcException(TcErrorCode.BucketNotFound, $"Bucket '{_options.Bucket}' does not exist at {where}: create it or run init, which creates it.", _options.Bucket, e);
                case AmazonS3Exception s3 when s3.StatusCode == HttpStatusCode.Forbidden || s3.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied":
                    return new TcException(TcErrorCode.AccessDenied, $"{where} refused the credentials ({s3.ErrorCode}) for '{target}': check the access key and secret key.", target, e);
                case AmazonServiceException service when service.StatusCode != 0:
                    return new TcException(TcErrorCode.StoreFailed, $"{where} answered {(int)service.StatusCode} {service.ErrorCode} for '{target}'.", target, e);
                default:
                    var root = Innermost(e);
                    bool unreachable = root is SocketException || root is HttpRequestException || root is TimeoutException || root is OperationCanceledException || root is IOException || e is AmazonServiceException;
                    return unreachable
                        ? new TcException(TcErrorCode.StoreUnreachable, $"Cannot reach the S3 server at {where} ({root.Message.TrimEnd('.')}): check that it runs and that the endpoint is right.", target, e)
                        : new TcException(TcErrorCode.StoreFailed, $"S3 request for '{target}' at {where} failed: {root.Message}", target, e);
            }
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException is not null) e = e.InnerException;
            return e;
        }

        private static string? BareOrNull(string? etag) => etag is null ? null : ETagText.Bare(etag);

        private static DateTimeOffset? ToOffset(DateTime? time) =>
            time is DateTime t ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime()) : null;

        public void Dispose()
        {
            _client.Dispose();
            _transferClient.Dispose();
            _timeClient.Dispose();
        }
    }
}
