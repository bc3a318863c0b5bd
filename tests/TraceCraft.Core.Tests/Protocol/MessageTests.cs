using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    public abstract class MessageTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected MessageTests(TBackend backend) : base(backend) { }

        [Fact]
        public async Task Inbox_merges_direct_and_broadcast_skips_own_broadcasts_and_sorts_by_time()
        {
            var lead = Agent("lead");
            var dev = Agent("dev");
            await lead.Messages.SendAsync("dev", "first");
            await dev.Messages.SendAsync("_broadcast", "mine, not shown to me");
            await lead.Messages.SendAsync("_broadcast", "to all");
            await lead.Messages.SendAsync("dev", "last");
            var inbox = await dev.Messages.ReadAsync();
            Assert.Equal(new[] { "first", "to all", "last" }, inbox.Select(m => m.Text));
            Assert.Equal(new[] { MessageKind.Direct, MessageKind.Broadcast, MessageKind.Direct }, inbox.Select(m => m.Kind));
            Assert.All(inbox, m => Assert.Equal("lead", m.From));
            Assert.Equal("[" + TraceCraft.Wire.WireTime.Format(inbox[0].SentAt) + "] (direct) lead: first", inbox[0].ToString());
        }

        [Fact]
        public async Task Deleting_removes_direct_messages_but_hides_a_broadcast_only_for_the_reader()
        {
            var lead = Agent("lead");
            var a = Agent("a");
            var b = Agent("b");
            await lead.Messages.SendAsync("a", "direct for a");
            await lead.Messages.SendAsync("_broadcast", "for everyone");
            var shown = await a.Messages.ReadAsync();
            Assert.Equal(2, await a.Messages.DeleteAsync(shown));
            Assert.Empty(await a.Messages.ReadAsync(new InboxQuery { Refresh = true }));
            Assert.Equal(new[] { "for everyone" }, (await b.Messages.ReadAsync()).Select(m => m.Text));
            Assert.Equal(ReadStatus.NotFound, (await lead.Store.GetAsync(shown[0].Key)).Status);
        }

        [Fact]
        public async Task Unread_returns_only_what_no_earlier_read_returned()
        {
            var lead = Agent("lead");
            var dev = Agent("dev");
            await lead.Messages.SendAsync("dev", "one");
            Assert.Single(await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }));
            Assert.Empty(await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }));
            await lead.Messages.SendAsync("dev", "two");
            Assert.Equal(new[] { "two" }, (await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true })).Select(m => m.Text));
            Assert.Equal(2, (await dev.Messages.ReadAsync()).Count);
        }

        /// <summary>With 1,000 old messages and 10 new ones, a later read costs a bounded number of requests, not one per message.</summary>
        [Fact]
        public async Task Reading_10_new_messages_after_1000_old_ones_costs_at_most_15_requests()
        {
            var lead = Agent("lead");
            await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (int i = w; i < 1000; i += 8) await lead.Messages.SendAsync("dev", "old " + i);
            })));
            int requests = 0;
            var dev = Agent("dev", observer: _ => Interlocked.Increment(ref requests));
            Assert.Equal(1000, (await dev.Messages.ReadAsync()).Count);
            int firstRead = requests;
            Assert.True(firstRead >= 1000, $"the first read fetches every body ({firstRead} requests)");

            for (int i = 0; i < 10; i++) await lead.Messages.SendAsync("dev", "new " + i);
            requests = 0;
            var unread = await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true });
            Assert.Equal(Enumerable.Range(0, 10).Select(i => "new " + i), unread.Select(m => m.Text));
            Assert.InRange(requests, 10, 15);
        }

        [Fact]
        public async Task A_message_from_a_sender_whose_clock_is_5_seconds_behind_is_still_delivered()
        {
            var lead = Agent("lead");
            var late = Agent("late", new TcClock(fixedOffset: TimeSpan.FromSeconds(-5)));
            var dev = Agent("dev");
            await lead.Messages.SendAsync("dev", "on time");
            Assert.Single(await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true }));
            await late.Messages.SendAsync("dev", "from the past");
            var unread = await dev.Messages.ReadAsync(new InboxQuery { UnreadOnly = true });
            Assert.Equal(new[] { "from the past" }, unread.Select(m => m.Text));
        }

        [Fact]
        public async Task Thirty_two_senders_deliver_every_message_exactly_once()
        {
            var senders = Enumerable.Range(0, 32).Select(i => Agent("s" + i)).ToArray();
            await Task.WhenAll(senders.Select(s => Task.Run(async () =>
            {
                for (int i = 0; i < 5; i++) await s.Messages.SendAsync("sink", $"{s.AgentId}-{i}");
            })));
            var inbox = await Agent("sink").Messages.ReadAsync();
            Assert.Equal(160, inbox.Count);
            Assert.Equal(160, inbox.Select(m => m.Text).Distinct().Count());
            Assert.Equal(inbox.OrderBy(m => m.SentAt).Select(m => m.Id), inbox.Select(m => m.Id));
        }

        [Fact]
        public async Task A_corrupt_message_is_reported_and_does_not_hide_the_others()
        {
            var lead = Agent("lead");
            var warnings = new ConcurrentQueue<string>();
            var dev = Agent("dev", warning: warnings.Enqueue);
            await lead.Messages.SendAsync("dev", "good one");
            await lead.Store.PutAsync($"{Project}/messages/dev/1000000000000000000_evil_00000000.json", Encoding.UTF8.GetBytes("{not json"), WriteCondition.None);
            await lead.Store.PutAsync($"{Project}/messages/dev/1000000000000000001_evil_00000001.json", Encoding.UTF8.GetBytes("{\"from\": 7}"), WriteCondition.None);
            var inbox = await dev.Messages.ReadAsync();
            Assert.Equal(new[] { "good one" }, inbox.Select(m => m.Text));
            Assert.Equal(2, warnings.Count);
            Assert.Contains(warnings, w => w.Contains("1000000000000000000_evil_00000000.json"));
        }

        [Fact]
        public async Task Wait_returns_when_a_message_arrives()
        {
            var lead = Agent("lead");
            var dev = Agent("dev");
            var wait = dev.Messages.WaitAsync(TimeSpan.FromSeconds(20));
            await Task.Delay(300);
            await lead.Messages.SendAsync("dev", "wake up");
            Assert.Equal(new[] { "wake up" }, (await wait).Select(m => m.Text));
            Assert.Empty(await dev.Messages.WaitAsync(TimeSpan.FromMilliseconds(300)));
        }

        [Fact]
        public async Task Unsafe_recipients_are_refused()
        {
            var lead = Agent("lead");
            foreach (var bad in new[] { "../x", "a/b", "", "x\0" })
                Assert.Equal(Errors.TcErrorCode.InvalidIdentifier, (await Assert.ThrowsAsync<Errors.TcException>(() => lead.Messages.SendAsync(bad, "m"))).Code);
        }
    }

    public sealed class FolderMessageTests : MessageTests<FolderBackend> { public FolderMessageTests(FolderBackend b) : base(b) { } }
    public sealed class S3MessageTests : MessageTests<S3Backend> { public S3MessageTests(S3Backend b) : base(b) { } }
}
