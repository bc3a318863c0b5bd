using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TraceCraft.Storage
{
    internal static class StreamCopy
    {
        /// <summary>Copies with progress reports (bytes so far) at most every 1 MiB.</summary>
        public static async Task<long> CopyAsync(Stream source, Stream destination, IProgress<long>? progress, CancellationToken cancellationToken)
        {
            var buffer = new byte[81920];
            long total = 0, lastReport = 0;
            while (true)
            {
                // Checked each round: not every stream honours the token (netstandard2.0's synchronous ones do not).
                cancellationToken.ThrowIfCancellationRequested();
                int read = await source.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                await destination.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                total += read;
                if (progress is not null && total - lastReport >= 1 << 20)
                {
                    progress.Report(total);
                    lastReport = total;
                }
            }
            progress?.Report(total);
            return total;
        }
    }
}
