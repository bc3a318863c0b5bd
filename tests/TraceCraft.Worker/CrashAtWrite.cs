using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Protocol;
using TraceCraft.Storage;

namespace TraceCraft.Worker
{
    /// <summary>
    /// One user command that is killed (SIGKILL, no clean-up) just before its Nth store write:
    ///   crash CONFIG AGENT KILL_AT OP ARGS...   with OP one of
    ///     complete STEP | claim STEP | takeover STEP | memory-set KEY VALUE | send TO TEXT | upload FILE STEP
    /// KILL_AT 0 runs the command to the end and prints "writes=N", the number of writes it made.
    /// </summary>
    internal static class CrashAtWrite
    {
        public static async Task<int> RunAsync(string[] args)
        {
            var config = TcConfig.Parse(args[1], File.ReadAllBytes(args[1])).With(agentId: args[2]);
            int killAt = int.Parse(args[3], CultureInfo.InvariantCulture);
            var store = new KillingStore(TcSession.CreateStore(config), killAt);
            using var session = new TcSession(config, new TcSessionOptions
            {
                Store = store,
                CacheDirectory = Path.Combine(Path.GetTempPath(), "tccrash-" + Guid.NewGuid().ToString("N")),
            });
            switch (args[4])
            {
                case "complete":
                    await session.Steps.CompleteAsync(args[5], new CompletionRequest { Note = "done by " + args[2] });
                    break;
                case "claim":
                    await session.Claims.ClaimAsync(args[5]);
                    break;
                case "takeover":
                    await session.Claims.ClaimAsync(args[5], 600);
                    break;
                case "memory-set":
                    await session.Memory.SetAsync(args[5], args[6]);
                    break;
                case "send":
                    await session.Messages.SendAsync(args[5], args[6]);
                    break;
                case "upload":
                    await session.Artifacts.UploadAsync(args[5], args[6]);
                    break;
                default:
                    Console.Error.WriteLine("unknown operation " + args[4]);
                    return 2;
            }
            Console.WriteLine("writes=" + store.Writes);
            return 0;
        }

        /// <summary>Counts writes (put, upload, delete) and kills the process just before the chosen one.</summary>
        private sealed class KillingStore : IObjectStore
        {
            private readonly IObjectStore _inner;
            private readonly int _killAt;
            private int _writes;

            public KillingStore(IObjectStore inner, int killAt)
            {
                _inner = inner;
                _killAt = killAt;
            }

            public int Writes => _writes;

            private void BeforeWrite()
            {
                if (Interlocked.Increment(ref _writes) == _killAt)
                {
                    Console.Out.Flush();
                    Process.GetCurrentProcess().Kill();
                    Thread.Sleep(Timeout.Infinite);
                }
            }

            public Task<ObjectRead> GetAsync(string key, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
                _inner.GetAsync(key, ifNoneMatch, cancellationToken);

            public Task<WriteResult> PutAsync(string key, byte[] body, WriteCondition condition, string? contentType = null, CancellationToken cancellationToken = default)
            {
                BeforeWrite();
                return _inner.PutAsync(key, body, condition, contentType, cancellationToken);
            }

            public Task<WriteResult> UploadAsync(string key, Stream content, WriteCondition condition, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
            {
                BeforeWrite();
                return _inner.UploadAsync(key, content, condition, progress, cancellationToken);
            }

            public Task<ObjectInfo?> DownloadAsync(string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
                _inner.DownloadAsync(key, destination, progress, cancellationToken);

            public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
            {
                BeforeWrite();
                return _inner.DeleteAsync(key, cancellationToken);
            }

            public Task<ListPage> ListAsync(string prefix, string? startAfter = null, int maxKeys = 1000, CancellationToken cancellationToken = default) =>
                _inner.ListAsync(prefix, startAfter, maxKeys, cancellationToken);

            public Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default) => _inner.GetServerTimeAsync(cancellationToken);

            public string Location => _inner.Location;

            public void Dispose() => _inner.Dispose();
        }
    }
}
