using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.CommandLine.Board;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Tests.Protocol;
using Xunit;

namespace TraceCraft.Tests.Board
{
    /// <summary>The board's plain frames (what -Once, pipes and NO_COLOR get), and how it rides out a store outage.</summary>
    public abstract class LiveBoardTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected LiveBoardTests(TBackend backend) : base(backend) { }

        [Fact]
        public async Task A_plain_frame_shows_agents_steps_by_state_messages_and_the_summary_and_keeps_values_as_text()
        {
            var clock = await FleetRecording.RecordAsync((name, c) => Agent(name, c));
            var worker = Agent("worker", clock);
            await worker.Claims.ClaimAsync("deploy", new ClaimOptions { LeaseSeconds = 600, IgnoreDependencies = true });
            await worker.Messages.SendAsync("lead", "[red]not markup[/]");
            var frames = new List<string>();
            Assert.True(await LiveBoard.RunPlainAsync(Agent("viewer", clock), frames.Add, once: true, TimeSpan.FromSeconds(1), 120, CancellationToken.None));
            string frame = Assert.Single(frames);
            string folder = Directory.CreateDirectory(Path.Combine(BrowserTools.RepositoryRoot, "out", "board")).FullName;
            File.WriteAllText(Path.Combine(folder, $"plain-frame-{(Backend is S3Backend ? "s3" : "folder")}.txt"), frame);
            Assert.Matches(@"in progress\s*\|\s*deploy\s*\|\s*worker · token 1 · lease \d+:\d\d", frame);
            Assert.Matches(@"blocked\s*\|\s*docs\s*\|\s*writer: waiting for API keys", frame);
            Assert.Matches(@"failed\s*\|\s*test\s*\|\s*after 1 attempt\(s\)", frame);
            Assert.Matches(@"complete\s*\|\s*build\s*\|\s*rescuer at \d\d:\d\d:\d\d", frame);
            Assert.Matches(@"builder\s*\|\s*\d+m ago \(stale\)\s*\|\s*build", frame);
            Assert.Contains("[red]not markup[/]", frame);
            Assert.Contains("5 steps: 2 complete, 1 in progress, 0 ready, 0 waiting · 1 blocked · 1 failed · ", frame);
            Assert.DoesNotContain("\u001b[", frame, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_store_outage_keeps_the_last_frame_under_a_notice_and_the_board_recovers()
        {
            var lead = Agent("lead");
            await lead.Steps.DefineAsync(new StepDefinition { Id = "build" });
            var store = Own(new SwitchableStore(Backend.NewStore()));
            var frames = new List<string>();
            using var stop = new CancellationTokenSource();
            await LiveBoard.RunPlainAsync(Agent("viewer", store: store), frame =>
            {
                frames.Add(frame);
                // Down after the first frame, up again after the second, stop after the third.
                if (frames.Count == 1) store.Down = true;
                if (frames.Count == 2) store.Down = false;
                if (frames.Count == 3) stop.Cancel();
            }, once: false, TimeSpan.FromMilliseconds(200), 120, stop.Token);
            Assert.Equal(3, frames.Count);
            Assert.DoesNotContain("Store unavailable", frames[0]);
            Assert.Contains("! Store unavailable since", frames[1]);
            Assert.Contains("StoreUnreachable", frames[1]);
            Assert.Matches(@"ready\s*\|\s*build", frames[1]);
            Assert.DoesNotContain("Store unavailable", frames[2]);
            Assert.Matches(@"ready\s*\|\s*build", frames[2]);
        }
    }

    /// <summary>The real store, with a switch that makes every request fail as an unreachable server would.</summary>
    internal sealed class SwitchableStore : IObjectStore
    {
        private readonly IObjectStore _inner;
        public SwitchableStore(IObjectStore inner) => _inner = inner;
        public volatile bool Down;
        public string Location => _inner.Location;
        private void Check(string key) { if (Down) throw new TcException(TcErrorCode.StoreUnreachable, "connection refused (test outage)", key) { IsTransient = true }; }
        public Task<ObjectRead> GetAsync(string key, string? ifNoneMatch = null, CancellationToken cancellationToken = default) { Check(key); return _inner.GetAsync(key, ifNoneMatch, cancellationToken); }
        public Task<WriteResult> PutAsync(string key, byte[] body, WriteCondition condition, string? contentType = null, CancellationToken cancellationToken = default) { Check(key); return _inner.PutAsync(key, body, condition, contentType, cancellationToken); }
        public Task<WriteResult> UploadAsync(string key, Stream content, WriteCondition condition, IProgress<long>? progress = null, CancellationToken cancellationToken = default) { Check(key); return _inner.UploadAsync(key, content, condition, progress, cancellationToken); }
        public Task<ObjectInfo?> DownloadAsync(string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default) { Check(key); return _inner.DownloadAsync(key, destination, progress, cancellationToken); }
        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) { Check(key); return _inner.DeleteAsync(key, cancellationToken); }
        public Task<ListPage> ListAsync(string prefix, string? startAfter = null, int maxKeys = 1000, CancellationToken cancellationToken = default) { Check(prefix); return _inner.ListAsync(prefix, startAfter, maxKeys, cancellationToken); }
        public Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default) { Check("/"); return _inner.GetServerTimeAsync(cancellationToken); }
        public void Dispose() => _inner.Dispose();
    }

    public sealed class FolderLiveBoardTests : LiveBoardTests<FolderBackend> { public FolderLiveBoardTests(FolderBackend b) : base(b) { } }
    public sealed class S3LiveBoardTests : LiveBoardTests<S3Backend> { public S3LiveBoardTests(S3Backend b) : base(b) { } }
}
