using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Results;
using TraceCraft.Wire;
using TraceCraft.Keys;

namespace TraceCraft.Bench.Scenarios
{
    /// <summary>
    /// 2a. Engine overhead. An uncontended claim, a memory set and a memory get through the engine, next to the same
    /// single S3 request made with the raw AWS SDK (an AmazonS3Client configured as S3ObjectStore configures its own),
    /// interleaved in the same run so both see the same server and machine load. On the folder store only the engine
    /// runs (there is no raw SDK to compare with). The engine's requests per operation are counted by an observer.
    /// </summary>
    public sealed class OverheadScenario : IScenario
    {
        public const string Claim = "claim";
        public const string MemorySet = "memory set";
        public const string MemoryGet = "memory get";

        public string Name => "overhead";

        public async Task RunAsync(BenchContext context)
        {
            var result = context.Run.Overhead ??= new OverheadResult();
            foreach (var backend in context.Backends)
            {
                string project = context.Project("overhead-" + backend.Name);
                var layout = new ProjectLayout(project);
                using var session = backend.Session(project, "engine");
                using var raw = backend.IsS3 ? RawClient(backend.Server) : null;
                string bucket = backend.IsS3 ? backend.Server.Bucket : "";

                var engineMs = new Dictionary<string, List<double>> { [Claim] = new(), [MemorySet] = new(), [MemoryGet] = new() };
                var rawMs = new Dictionary<string, List<double>> { [Claim] = new(), [MemorySet] = new(), [MemoryGet] = new() };
                await session.Memory.SetStringAsync("bench.value", "initial").ConfigureAwait(false);
                if (raw is not null) await RawPut(raw, bucket, layout.MemoryKey("bench.raw"), Body("initial"), ifAbsent: false).ConfigureAwait(false);

                int total = context.Profile.OverheadWarmup + context.Profile.OverheadSamples;
                for (int i = 0; i < total; i++)
                {
                    bool keep = i >= context.Profile.OverheadWarmup;
                    // Alternate which path goes first, so neither always runs on a connection just used by the other.
                    bool engineFirst = i % 2 == 0;
                    for (int pass = 0; pass < 2; pass++)
                    {
                        bool engine = (pass == 0) == engineFirst;
                        if (engine)
                        {
                            Add(engineMs[Claim], keep, await Timed(() => session.Claims.ClaimAsync($"engine-{i}")).ConfigureAwait(false));
                            Add(engineMs[MemorySet], keep, await Timed(() => session.Memory.SetStringAsync("bench.value", $"value {i}")).ConfigureAwait(false));
                            Add(engineMs[MemoryGet], keep, await Timed(() => session.Memory.GetAsync("bench.value")).ConfigureAwait(false));
                        }
                        else if (raw is not null)
                        {
                            Add(rawMs[Claim], keep, await Timed(() => RawPut(raw, bucket, layout.ClaimKey($"raw-{i}"), Body("raw"), ifAbsent: true)).ConfigureAwait(false));
                            Add(rawMs[MemorySet], keep, await Timed(() => RawPut(raw, bucket, layout.MemoryKey("bench.raw"), Body($"value {i}"), ifAbsent: false)).ConfigureAwait(false));
                            Add(rawMs[MemoryGet], keep, await Timed(() => RawGet(raw, bucket, layout.MemoryKey("bench.raw"))).ConfigureAwait(false));
                        }
                    }
                }

                var perOperation = await CountRequestsAsync(backend, project).ConfigureAwait(false);
                foreach (var op in new[] { Claim, MemorySet, MemoryGet })
                {
                    result.Series.Add(new OverheadSeries { Backend = backend.Name, Operation = op, Path = "engine", RequestsPerOperation = perOperation[op], SamplesMs = engineMs[op].ToArray() });
                    if (raw is not null)
                        result.Series.Add(new OverheadSeries { Backend = backend.Name, Operation = op, Path = "raw-sdk", RequestsPerOperation = 1, SamplesMs = rawMs[op].ToArray() });
                }
                context.Log($"overhead {backend.Name}: {context.Profile.OverheadSamples} samples per operation and path");
            }
        }

        /// <summary>The engine's store requests for one operation of each kind, counted by an observer.</summary>
        private static async Task<Dictionary<string, double>> CountRequestsAsync(BenchBackend backend, string project)
        {
            var counter = new RequestCounter();
            using var counted = backend.Session(project, "engine-counted", counter.Observe);
            var counts = new Dictionary<string, double>();
            await counted.Claims.ClaimAsync("counted-claim").ConfigureAwait(false);
            counts[Claim] = counter.TakeAndReset().Total;
            await counted.Memory.SetStringAsync("bench.counted", "x").ConfigureAwait(false);
            counts[MemorySet] = counter.TakeAndReset().Total;
            await counted.Memory.GetAsync("bench.counted").ConfigureAwait(false);
            counts[MemoryGet] = counter.TakeAndReset().Total;
            return counts;
        }

        private static void Add(List<double> samples, bool keep, double ms)
        {
            if (keep) samples.Add(ms);
        }

        private static async Task<double> Timed<T>(Func<Task<T>> operation)
        {
            long start = Time.Now;
            await operation().ConfigureAwait(false);
            return Time.Since(start);
        }

        /// <summary>A client with the settings of S3ObjectStore.CreateClient (checksums when required, no SDK retries, path style).</summary>
        public static AmazonS3Client RawClient(S3Server server)
        {
            var config = new AmazonS3Config
            {
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
                MaxErrorRetry = 0,
                Timeout = TimeSpan.FromSeconds(10),
                ServiceURL = server.Endpoint,
                AuthenticationRegion = "us-east-1",
                ForcePathStyle = true,
            };
            return new AmazonS3Client(new BasicAWSCredentials(server.AccessKey, server.SecretKey), config);
        }

        /// <summary>A JSON body of the size the engine writes for a memory entry or claim.</summary>
        private static byte[] Body(string value) => WireJson.Write(w =>
        {
            w.WriteString("value", value);
            w.WriteString("set_by", "raw-sdk");
            w.WriteTime("set_at", DateTimeOffset.UtcNow);
        });

        private static async Task<bool> RawPut(AmazonS3Client client, string bucket, string key, byte[] body, bool ifAbsent)
        {
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(body, writable: false),
                AutoCloseStream = true,
                ContentType = "application/json",
                UseChunkEncoding = false,
            };
            if (ifAbsent) request.IfNoneMatch = "*";
            await client.PutObjectAsync(request).ConfigureAwait(false);
            return true;
        }

        private static async Task<byte[]> RawGet(AmazonS3Client client, string bucket, string key)
        {
            using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }
}
