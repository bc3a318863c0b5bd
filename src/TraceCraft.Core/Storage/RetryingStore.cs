using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;

namespace TraceCraft.Storage
{
    /// <summary>
    /// Retries transient failures (connection lost, 5xx, throttling) of any store with exponential backoff and
    /// jitter until a deadline, then gives up with the last error. A refused condition is an answer, never retried.
    /// A conditional write refused after an earlier attempt failed in transit may have been our own first attempt,
    /// which landed while its response was lost: the object is read back, and if it holds exactly our bytes the
    /// write counts as done. (Bodies carry the writer and a microsecond time, so equal bytes mean our write.)
    /// </summary>
    public sealed class RetryingStore : IObjectStore
    {
        private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
        private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
        private readonly IObjectStore _inner;
        private readonly TimeSpan _deadline;

        public RetryingStore(IObjectStore inner, TimeSpan operationTimeout)
        {
            _inner = inner;
            _deadline = operationTimeout;
        }

        public IObjectStore Inner => _inner;
        public string Location => _inner.Location;

        public Task<ObjectRead> GetAsync(string key, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
            Retry(ct => _inner.GetAsync(key, ifNoneMatch, ct), cancellationToken);

        public async Task<WriteResult> PutAsync(string key, byte[] body, WriteCondition condition, string? contentType = null, CancellationToken cancellationToken = default)
        {
            bool failedInTransit = false;
            var result = await Retry(ct => _inner.PutAsync(key, body, condition, contentType, ct), cancellationToken, () => failedInTransit = true).ConfigureAwait(false);
            if (result.Written || !failedInTransit) return result;
            var current = await GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            return current.Found && current.Body!.AsSpan().SequenceEqual(body) ? new WriteResult(true, current.ETag) : result;
        }

        public Task<WriteResult> UploadAsync(string key, Stream content, WriteCondition condition, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
            content.CanSeek
                ? Retry(ct => { content.Position = 0; return _inner.UploadAsync(key, content, condition, progress, ct); }, cancellationToken)
                : _inner.UploadAsync(key, content, condition, progress, cancellationToken);

        public Task<ObjectInfo?> DownloadAsync(string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
            destination.CanSeek
                ? Retry(ct => { destination.Position = 0; destination.SetLength(0); return _inner.DownloadAsync(key, destination, progress, ct); }, cancellationToken)
                : _inner.DownloadAsync(key, destination, progress, cancellationToken);

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
            Retry(ct => _inner.DeleteAsync(key, ct), cancellationToken);

        public Task<ListPage> ListAsync(string prefix, string? startAfter = null, int maxKeys = 1000, CancellationToken cancellationToken = default) =>
            Retry(ct => _inner.ListAsync(prefix, startAfter, maxKeys, ct), cancellationToken);

        public Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default) =>
            _inner.GetServerTimeAsync(cancellationToken);

        private async Task<T> Retry<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken, Action? onTransient = null)
        {
            var giveUpAt = DateTime.UtcNow + _deadline;
            var backoff = FirstBackoff;
            var random = new Random();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    return await attempt(cancellationToken).ConfigureAwait(false);
                }
                catch (TcException e) when (e.IsTransient && DateTime.UtcNow + backoff < giveUpAt)
                {
                    onTransient?.Invoke();
                }
                var jittered = TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * (0.5 + random.NextDouble() / 2));
                await Task.Delay(jittered, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, backoff.TotalMilliseconds * 2));
            }
        }

        public void Dispose() => _inner.Dispose();
    }
}
