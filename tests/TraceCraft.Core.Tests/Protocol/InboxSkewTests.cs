using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Wire;
using TraceCraft.Protocol;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>
    /// Message keys start with the sender's clock. A reader's cursor must never follow another agent's clock: a
    /// sender whose clock is far off delays nobody else's message. A clock with a fixed offset never syncs, so it
    /// stands for a foreign sender (the original Python CLI) that stamps keys with its own wrong clock.
    /// </summary>
    public abstract class InboxSkewTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected InboxSkewTests(TBackend backend) : base(backend) { }

        private static TcClock Foreign(double minutes) => new TcClock(fixedOffset: TimeSpan.FromMinutes(minutes));

        [Fact]
        public async Task A_sender_10_minutes_ahead_does_not_hide_a_later_direct_message_of_a_normal_sender()
        {
            var fast = Agent("fast", Foreign(10));
            var lead = Agent("lead");
            var dev = Agent("dev");
            Assert.Empty(await dev.Messages.ReadAsync());
            await fast.Messages.SendAsync("dev", "from the future");
            Assert.Equal(new[] { "from the future" }, (await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true })).Select(m => m.Text));
            await lead.Messages.SendAsync("dev", "on time");
            Assert.Equal(new[] { "on time" }, (await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true })).Select(m => m.Text));
        }

        [Fact]
        public async Task A_broadcast_2_minutes_ahead_does_not_hide_later_broadcasts_from_any_reader()
        {
            var fast = Agent("fast", Foreign(2));
            var lead = Agent("lead");
            var readers = new[] { Agent("r1"), Agent("r2") };
            foreach (var r in readers) Assert.Empty(await r.Messages.ReadAsync());
            await fast.Messages.SendAsync("_broadcast", "early bird");
            foreach (var r in readers) Assert.Single(await r.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }));
            await lead.Messages.SendAsync("_broadcast", "news");
            foreach (var r in readers)
                Assert.Equal(new[] { "news" }, (await r.Messages.ReadAsync(new InboxQuery { UnreadOnly = true })).Select(m => m.Text));
        }

        [Fact]
        public async Task Wait_returns_a_normal_message_sent_after_one_from_the_future()
        {
            var fast = Agent("fast", Foreign(15));
            var lead = Agent("lead");
            var dev = Agent("dev");
            await fast.Messages.SendAsync("dev", "from the future");
            Assert.Single(await dev.Messages.WaitAsync(TimeSpan.FromSeconds(20)));
            await lead.Messages.SendAsync("dev", "on time");
            Assert.Equal(new[] { "on time" }, (await dev.Messages.WaitAsync(TimeSpan.FromSeconds(20))).Select(m => m.Text));
        }

        [Fact]
        public async Task A_sender_15_minutes_behind_delays_nobody_else_and_is_found_by_the_full_relist()
        {
            var slow = Agent("slow", Foreign(-15));
            var lead = Agent("lead");
            var dev = Agent("dev");
            await lead.Messages.SendAsync("dev", "first");
            Assert.Single(await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }));
            await slow.Messages.SendAsync("dev", "from the past");
            await lead.Messages.SendAsync("dev", "second");
            var unread = (await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true })).Select(m => m.Text).ToList();
            Assert.Contains("second", unread);
            // The promise for a sender more than the skew window behind: the periodic full re-list (here forced) finds it.
            var all = (await dev.Messages.ReadAsync(new InboxQuery { Refresh = true })).Select(m => m.Text).ToList();
            Assert.Equal(new[] { "from the past", "first", "second" }, all);
        }

        [Fact]
        public async Task Our_sender_with_a_local_clock_10_minutes_ahead_stamps_the_store_time()
        {
            // An unsynced clock: the session measures the store's clock before it stamps the key.
            var fast = Agent("fast", new TcClock(() => DateTimeOffset.UtcNow.AddMinutes(10)));
            var sent = await fast.Messages.SendAsync("dev", "hello");
            var real = DateTimeOffset.UtcNow;
            string name = sent.Key.Substring(sent.Key.LastIndexOf('/') + 1);
            long ns = long.Parse(name.Substring(0, name.IndexOf('_')), CultureInfo.InvariantCulture);
            var stamped = DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000);
            Assert.InRange((stamped - real).TotalSeconds, -60, 60);
            var body = Encoding.UTF8.GetString((await fast.Store.GetAsync(sent.Key)).Body!);
            Assert.Contains("\"sent_at\": \"" + WireTime.Format(sent.SentAt) + "\"", body);
            Assert.InRange((sent.SentAt - real).TotalSeconds, -60, 60);
        }

        [Fact]
        public async Task A_reader_whose_local_clock_is_10_minutes_ahead_still_sees_new_messages()
        {
            var lead = Agent("lead");
            var dev = Agent("dev", new TcClock(() => DateTimeOffset.UtcNow.AddMinutes(10)));
            await lead.Messages.SendAsync("dev", "one");
            Assert.Single(await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }));
            await lead.Messages.SendAsync("dev", "two");
            Assert.Equal(new[] { "two" }, (await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true })).Select(m => m.Text));
        }
    }

    public sealed class FolderInboxSkewTests : InboxSkewTests<FolderBackend> { public FolderInboxSkewTests(FolderBackend b) : base(b) { } }
    public sealed class S3InboxSkewTests : InboxSkewTests<S3Backend> { public S3InboxSkewTests(S3Backend b) : base(b) { } }
}
