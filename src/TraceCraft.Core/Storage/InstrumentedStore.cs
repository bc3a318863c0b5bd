using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TraceCraft.Storage
{
    /// <summary>One request as seen by an observer: method, key, outcome and time. Never holds a body or a secret.</summary>
    public sealed class StoreRequest
    {
        public StoreRequest(string method, string key, string outcome, double milliseconds)
        {
            Method = method;
            Key = key;
            Outcome = outcome;
            Milliseconds = milliseconds;
        }

        public string Method { get; }
        public string Key { get; }
        /// <summary>An HTTP-like status: 200, 304, 404, 412, or the error code of a failure.</summary>
        public string Outcome { get; }
        public double Milliseconds { get; }

        public override string ToString() => $"{Method} {Key} -> {Outcome} ({Milliseconds:0.0} ms)";
    }

    /// <summary>
    /// Wraps any store and reports each request to an observer: the -Verbose stream of the cmdlets, and the
    /// request counts that tests and benchmarks assert on.
    /// </summary>
    public sealed class InstrumentedStore : IObjectStore
    {
        private readonly IObjectStore _inner;
        private readonly Action<StoreRequest> _observer;

        public InstrumentedStore(IObjectStore inner, Action<StoreRequest> observer)
        {
            _inner = inner;
            _observer = observer;
        }

        public IObjectStore Inner => _inner;

        public string Location => _inner.Location;

        public Task<ObjectRead> GetAsync(string key, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
            Observe("GET", key, () => _inner.GetAsync(key, ifNoneMatch, cancellationToken), r => r.Status switch
            {
                ReadStatus.Found => "200",
                ReadStatus.NotModified => "304",
                _ => "404",
            });

        public Task<WriteResult> PutAsync(string key, byte[] body, WriteCondition condition, string? contentType = null, CancellationToken cancellationToken = default) =>
            Observe(PutMethod(condition), key, () => _inner.PutAsync(key, body, condition, contentType, cancellationToken), r => r.Written ? "200" : "412");

        public Task<WriteResult> UploadAsync(string key, Stream content, WriteCondition condition, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
            Observe(PutMethod(condition), key, () => _inner.UploadAsync(key, content, condition, progress, cancellationToken), r => r.Written ? "200" : "412");

        public Task<ObjectInfo?> DownloadAsync(string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
            Observe("GET", key, () => _inner.DownloadAsync(key, destination, progress, cancellationToken), r => r is null ? "404" : "200");

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
            Observe("DELETE", key, () => _inner.DeleteAsync(key, cancellationToken), _ => "204");

        public Task<ListPage> ListAsync(string prefix, string? startAfter = null, int maxKeys = 1000, CancellationToken cancellationToken = default) =>
            Observe("LIST", prefix + (startAfter is null ? "" : " after " + startAfter), () => _inner.ListAsync(prefix, startAfter, maxKeys, cancellationToken), p => $"200 ({p.Objects.Count} keys)");

        public Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default) =>
            Observe("HEAD", "/", () => _inner.GetServerTimeAsync(cancellationToken), _ => "200");

        private static string PutMethod(WriteCondition condition) => condition.Kind switch
        {
            WriteConditionKind.IfAbsent => "PUT(If-None-Match)",
            WriteConditionKind.IfMatch => "PUT(If-Match)",
            _ => "PUT",
        };

        private async Task<T> Observe<T>(string method, string key, Func<Task<T>> call, Func<T, string> outcome)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var result = await call().ConfigureAwait(false);
                _observer(new StoreRequest(method, key, outcome(result), watch.Elapsed.TotalMilliseconds));
                return result;
            }
            catch (Errors.TcException e)
            {
                _observer(new StoreRequest(method, key, e.Code.ToString(), watch.Elapsed.TotalMilliseconds));
                throw;
            }
        }

        public void Dispose() => _inner.Dispose();
    }
}
