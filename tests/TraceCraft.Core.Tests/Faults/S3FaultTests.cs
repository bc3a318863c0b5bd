using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Faults
{
    /// <summary>A private RGW that these tests break on purpose (the shared one keeps serving the other tests).</summary>
    public sealed class PrivateS3Server : IDisposable
    {
        public TestS3Server Server { get; } = TestS3Server.Launch();
        public string TempFolder { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tcfault-" + Guid.NewGuid().ToString("N").Substring(0, 8))).FullName;
        public void Dispose() => Server.Stop();
    }

    /// <summary>The S3 server goes away mid-run, answers wrongly, or never answers: clear errors, no hang, nothing half-done.</summary>
    public sealed class S3FaultTests : IClassFixture<PrivateS3Server>
    {
        private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(60);
        private readonly PrivateS3Server _fixture;
        private readonly string _project = TestS3Server.UniqueName("fault");

        public S3FaultTests(PrivateS3Server fixture) => _fixture = fixture;

        private TestS3Server Server => _fixture.Server;

        private TcSession Agent(string agent, double timeoutSeconds = 2, string? endpoint = null, string? bucket = null, string? secret = null, Action<string>? warning = null) =>
            new TcSession(new TcConfig
            {
                Backend = Backends.S3,
                Endpoint = endpoint ?? Server.Endpoint,
                Bucket = bucket ?? Server.Bucket,
                AccessKey = Server.AccessKey,
                SecretKey = secret ?? Server.SecretKey,
                Project = _project,
                AgentId = agent,
                TimeoutSeconds = timeoutSeconds,
            }, new TcSessionOptions { CacheDirectory = Path.Combine(_fixture.TempFolder, agent), Warning = warning });

        private static async Task<TcException> FailsWithoutHanging(Func<Task> action)
        {
            var run = Task.Run(action);
            var finished = await Task.WhenAny(run, Task.Delay(NoHang));
            Assert.True(finished == run, "the operation hung");
            return await Assert.ThrowsAsync<TcException>(() => run);
        }

        [Fact]
        public async Task While_the_server_is_down_every_operation_fails_clearly_nothing_is_half_done_and_work_resumes_after()
        {
            using var a = Agent("a");
            await a.Memory.SetStringAsync("before", "x");
            Server.KillGateway();
            try
            {
                var failures = new[]
                {
                    await FailsWithoutHanging(() => a.Claims.ClaimAsync("s")),
                    await FailsWithoutHanging(() => a.Memory.SetStringAsync("k", "v")),
                    await FailsWithoutHanging(() => a.Memory.GetAsync("before")),
                    await FailsWithoutHanging(() => a.Messages.SendAsync("b", "hello")),
                    await FailsWithoutHanging(() => a.Messages.ReadAsync()),
                    await FailsWithoutHanging(() => a.Steps.ListAsync()),
                };
                Assert.All(failures, e =>
                {
                    Assert.Equal(TcErrorCode.StoreUnreachable, e.Code);
                    Assert.Contains(Server.Endpoint, e.Message);
                    Assert.DoesNotContain(Server.SecretKey, e.ToString());
                });
            }
            finally
            {
                Server.StartGateway();
            }
            Assert.Null(await a.Claims.ReadAsync("s"));
            Assert.Null(await a.Memory.GetAsync("k"));
            Assert.Equal("x", (await a.Memory.GetAsync("before"))!.Value);
            Assert.Equal("a", (await a.Claims.ClaimAsync("s")).Agent);
        }

        [Fact]
        public async Task A_waiter_rides_out_a_short_outage_until_its_deadline()
        {
            using var waiter = Agent("waiter");
            using var worker = Agent("worker");
            await worker.Claims.ClaimAsync("job");
            var wait = waiter.Barriers.WaitAsync(new[] { "job" }, TimeSpan.FromSeconds(45));
            await Task.Delay(300);
            Server.KillGateway();
            await Task.Delay(3000);
            Assert.False(wait.IsCompleted, "the wait failed during the outage: " + wait.Exception?.InnerException?.Message);
            Server.StartGateway();
            await worker.Steps.CompleteAsync("job", new CompletionRequest());
            Assert.Equal(StepStatus.Complete, Assert.Single(await wait).Status);
        }

        [Fact]
        public async Task A_wait_during_an_outage_ends_at_its_deadline_with_the_last_store_error()
        {
            using var waiter = Agent("w2", timeoutSeconds: 1);
            Server.KillGateway();
            try
            {
                var e = await FailsWithoutHanging(() => waiter.Barriers.WaitAsync(new[] { "never" }, TimeSpan.FromSeconds(3)));
                Assert.Equal(TcErrorCode.WaitTimeout, e.Code);
                Assert.Contains("last store error", e.Message);
            }
            finally
            {
                Server.StartGateway();
            }
        }

        [Fact]
        public async Task Wrong_credentials_a_missing_bucket_and_a_silent_endpoint_each_get_their_own_clear_error()
        {
            using var wrong = Agent("x", secret: "not-the-secret");
            var denied = await FailsWithoutHanging(() => wrong.Memory.GetAsync("k"));
            Assert.Equal(TcErrorCode.AccessDenied, denied.Code);
            Assert.DoesNotContain("not-the-secret", denied.ToString());

            using var nobucket = Agent("y", bucket: "no-such-bucket-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Assert.Equal(TcErrorCode.BucketNotFound, (await FailsWithoutHanging(() => nobucket.Memory.GetAsync("k"))).Code);

            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            using var silent = Agent("z", timeoutSeconds: 1, endpoint: $"http://127.0.0.1:{port}");
            var unreachable = await FailsWithoutHanging(() => silent.Claims.ClaimAsync("s"));
            Assert.Equal(TcErrorCode.StoreUnreachable, unreachable.Code);
            Assert.Contains($"127.0.0.1:{port}", unreachable.Message);
        }

        [Fact]
        public async Task A_server_that_accepts_but_never_answers_cannot_stretch_a_waits_timeout()
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start(); // accepts connections (backlog) but never reads or answers
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            using var waiter = Agent("slow", timeoutSeconds: 30, endpoint: $"http://127.0.0.1:{port}");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var e = await FailsWithoutHanging(() => waiter.Barriers.WaitAsync(new[] { "x" }, TimeSpan.FromSeconds(2)));
            Assert.Equal(TcErrorCode.WaitTimeout, e.Code);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(12), $"the 2 s wait took {watch.Elapsed}");
        }

        [Fact]
        public async Task Corrupt_wrongly_typed_and_50_MB_objects_are_reported_by_key_and_the_rest_still_read()
        {
            var warnings = new ConcurrentQueue<string>();
            // The writer of the 50 MB object gets time for it on a busy machine; the 2 s default is for the readers.
            using var lead = Agent("lead", timeoutSeconds: 120);
            using var dev = Agent("dev", warning: warnings.Enqueue);
            await lead.Messages.SendAsync("dev", "good");
            string prefix = $"{_project}/messages/dev/";
            await lead.Store.PutAsync(prefix + "1000000000000000001_x_00000001.json", Encoding.UTF8.GetBytes("{\"from\": [], \"message\": 1}"), WriteCondition.None);
            await lead.Store.PutAsync(prefix + "1000000000000000002_x_00000002.json", Encoding.UTF8.GetBytes("{\"message\": \"no sender\"}"), WriteCondition.None);
            var huge = new byte[50 << 20];
            Array.Fill(huge, (byte)' ');
            huge[0] = (byte)'{';
            huge[^1] = (byte)'}';
            await lead.Store.PutAsync(prefix + "1000000000000000003_x_00000003.json", huge, WriteCondition.None);
            var inbox = await dev.Messages.ReadAsync();
            // The oversized message is listed (so that inbox --delete can remove it) with a placeholder, never downloaded.
            Assert.Equal(new[] { "good" }, inbox.Where(m => !m.Text.StartsWith("(not shown:")).Select(m => m.Text));
            Assert.Single(inbox, m => m.Text.StartsWith("(not shown: this message is 50.0 MiB"));
            Assert.Equal(3, warnings.Count);
            Assert.Contains(warnings, w => w.Contains("00000003.json") && w.Contains("MiB"));
        }
    }
}
