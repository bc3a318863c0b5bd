using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>Consuming reads (inbox --delete): exactly once across readers of one inbox, never lost when a reader dies.</summary>
    public abstract class InboxTakeTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected InboxTakeTests(TBackend backend) : base(backend) { }

        private static readonly InboxQuery Take = new InboxQuery { Take = true };

        /// <summary>Another reader of the same agent's inbox, as on another machine: its own cache and (optionally) clock.</summary>
        private TcSession Reader(string agent, string machine, TcClock? clock = null) => Own(new TcSession(Backend.ConfigFor(Project, agent), new TcSessionOptions
        {
            CacheDirectory = Path.Combine(Backend.TempFolder, "cache-" + Project + "-" + machine),
            Clock = clock,
        }));

        private static TcClock Later(double minutes) => new TcClock(fixedOffset: TimeSpan.FromMinutes(minutes));

        private async Task<int> TakenReceiptCount(TcSession any) => (await any.Store.ListAllAsync($"{Project}/receipts/dev/taken/")).Count;

        [Fact]
        public async Task A_message_taken_by_one_reader_is_not_given_to_another_and_its_receipt_goes_with_it()
        {
            var lead = Agent("lead");
            var one = Reader("dev", "one");
            var two = Reader("dev", "two");
            await lead.Messages.SendAsync("dev", "only once");
            var taken = await one.Messages.ReadAsync(Take);
            Assert.Equal(new[] { "only once" }, taken.Select(m => m.Text));
            Assert.Empty(await two.Messages.ReadAsync(Take));
            Assert.Equal(1, await TakenReceiptCount(lead));
            Assert.DoesNotContain("/messages/", (await lead.Store.ListAllAsync($"{Project}/receipts/")).Single().Key);

            Assert.Equal(1, await one.Messages.DeleteAsync(taken));
            Assert.Equal(0, await TakenReceiptCount(lead));
            // The loser's later attempt (receipt free again) finds the message gone and gives nothing.
            Assert.Empty(await two.Messages.ReadAsync(Take));
            Assert.Equal(0, await TakenReceiptCount(lead));
        }

        [Fact]
        public async Task A_message_of_a_reader_that_died_before_deleting_it_is_taken_over_after_the_expiry_by_one_reader_only()
        {
            var lead = Agent("lead");
            await lead.Messages.SendAsync("dev", "survives a crash");
            Assert.Single(await Reader("dev", "crashed").Messages.ReadAsync(Take)); // and never deletes
            Assert.Empty(await Reader("dev", "impatient").Messages.ReadAsync(Take));

            // A reader whose clock is far ahead does not mistake the fresh receipt for an old one.
            Assert.Empty(await Reader("dev", "fast", Later(15)).Messages.ReadAsync(Take));

            // Two readers that see the same receipt again after the expiry (by their own clocks): exactly one takes over.
            var t = DateTimeOffset.UtcNow;
            var late1 = Reader("dev", "late1", new TcClock(() => t, TimeSpan.Zero));
            var late2 = Reader("dev", "late2", new TcClock(() => t, TimeSpan.Zero));
            Assert.Empty(await late1.Messages.ReadAsync(Take));
            Assert.Empty(await late2.Messages.ReadAsync(Take));
            t += MessageService.TakenReceiptExpiry + TimeSpan.FromSeconds(1);
            var results = await Task.WhenAll(late1.Messages.ReadAsync(Take), late2.Messages.ReadAsync(Take));
            var winner = Assert.Single(results.SelectMany(r => r));
            Assert.Equal("survives a crash", winner.Text);
            var owner = results[0].Count == 1 ? late1 : late2;
            await owner.Messages.DeleteAsync(new[] { winner });
            Assert.Equal(ReadStatus.NotFound, (await lead.Store.GetAsync(winner.Key)).Status);
            Assert.Equal(0, await TakenReceiptCount(lead));
        }

        [Fact]
        public async Task A_receipt_left_behind_by_a_reader_that_died_after_deleting_is_swept()
        {
            var lead = Agent("lead");
            var sent = await lead.Messages.SendAsync("dev", "deleted, receipt left");
            var crashed = Reader("dev", "crashed");
            Assert.Single(await crashed.Messages.ReadAsync(Take));
            await lead.Store.DeleteAsync(sent.Key); // died between deleting the message and deleting the receipt
            Assert.Equal(1, await TakenReceiptCount(lead));

            // A young receipt is left alone (its reader may be at work); an old one whose message is gone is removed.
            Assert.Empty(await Reader("dev", "now").Messages.ReadAsync(new InboxQuery { Take = true, Refresh = true }));
            Assert.Equal(1, await TakenReceiptCount(lead));
            Assert.Empty(await Reader("dev", "later", Later(MessageService.TakenReceiptExpiry.TotalMinutes + 1)).Messages.ReadAsync(new InboxQuery { Take = true, Refresh = true }));
            Assert.Equal(0, await TakenReceiptCount(lead));
        }

        [Fact]
        public async Task A_broadcast_is_taken_once_per_agent_and_stays_for_the_other_agents()
        {
            var lead = Agent("lead");
            var one = Reader("dev", "one");
            var two = Reader("dev", "two");
            var sent = await lead.Messages.SendAsync("_broadcast", "to all");
            var taken = await one.Messages.ReadAsync(Take);
            Assert.Single(taken);
            Assert.Empty(await two.Messages.ReadAsync(Take));
            await one.Messages.DeleteAsync(taken);
            Assert.Equal(0, await TakenReceiptCount(lead));
            Assert.Empty(await two.Messages.ReadAsync(new InboxQuery { Take = true, Refresh = true }));
            Assert.Empty(await two.Messages.ReadAsync(new InboxQuery { Refresh = true }));
            Assert.Equal(0, await TakenReceiptCount(lead));
            Assert.Equal(new[] { "to all" }, (await Reader("qa", "qa").Messages.ReadAsync(Take)).Select(m => m.Text));
            Assert.Equal(ReadStatus.Found, (await lead.Store.GetAsync(sent.Key)).Status);
        }

        [Fact]
        public async Task Reads_that_do_not_delete_still_give_every_reader_every_message()
        {
            var lead = Agent("lead");
            await lead.Messages.SendAsync("dev", "for both");
            var one = Reader("dev", "one");
            var two = Reader("dev", "two");
            Assert.Single(await one.Messages.ReadAsync());
            Assert.Single(await two.Messages.ReadAsync());
            Assert.Single(await one.Messages.ReadAsync(Take));
            Assert.Single(await two.Messages.ReadAsync());
            Assert.Equal(1, await TakenReceiptCount(lead));
        }

        [Fact]
        public async Task Wait_with_take_returns_only_what_this_reader_took()
        {
            var lead = Agent("lead");
            var one = Reader("dev", "one");
            var two = Reader("dev", "two");
            var waits = new[] { one, two }.Select(r => r.Messages.WaitAsync(TimeSpan.FromSeconds(3), Take)).ToArray();
            await Task.Delay(200);
            await lead.Messages.SendAsync("dev", "one of you");
            var results = await Task.WhenAll(waits);
            Assert.Equal(new[] { "one of you" }, results.SelectMany(r => r).Select(m => m.Text));
        }
    }

    public sealed class FolderInboxTakeTests : InboxTakeTests<FolderBackend> { public FolderInboxTakeTests(FolderBackend b) : base(b) { } }
    public sealed class S3InboxTakeTests : InboxTakeTests<S3Backend> { public S3InboxTakeTests(S3Backend b) : base(b) { } }
}
