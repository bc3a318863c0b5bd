using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Spectre.Console;
using Spectre.Console.Rendering;
using TraceCraft.Errors;
using TraceCraft.Protocol;

namespace TraceCraft.CommandLine.Board
{
    /// <summary>
    /// The live board (<c>tracecraft watch</c>, Watch-TcProject): agents, steps by state, the last messages and a summary
    /// line, from one <see cref="ProjectReader"/> refreshed about once a second. Drawn with Spectre.Console: in a terminal
    /// it fills the screen (alternate screen, redrawn in place) until q or Ctrl-C; elsewhere (output redirected, NO_COLOR,
    /// not a console host) it prints plain-text frames. A store outage keeps the last frame on screen under a notice, and
    /// the next successful refresh clears it. Every value from the bucket goes into <see cref="Text"/>, never into markup.
    /// </summary>
    public static class LiveBoard
    {
        public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);
        private const int MessagesShown = 8;

        /// <summary>True when this process may draw the live board: a console on stdout, and no NO_COLOR.</summary>
        public static bool CanDrawLive(Func<string, string?> environment) =>
            !Console.IsOutputRedirected && string.IsNullOrEmpty(environment("NO_COLOR")) && environment("TERM") != "dumb";

        /// <summary>
        /// Refreshes until cancelled or q is pressed, drawing each frame full-screen on the process's console.
        /// </summary>
        public static void RunLive(TcSession session, TimeSpan interval, CancellationToken cancellationToken)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.Detect,
                ColorSystem = ColorSystemSupport.Detect,
                Out = new AnsiConsoleOutput(Console.Out),
            });
            var loop = new RefreshLoop(session);
            console.AlternateScreen(() =>
            {
                console.Cursor.Hide();
                try
                {
                    console.Live(new Text("Reading the project..."))
                        .AutoClear(false)
                        .Overflow(VerticalOverflow.Crop)
                        .Cropping(VerticalOverflowCropping.Bottom)
                        .Start(context =>
                        {
                            while (!cancellationToken.IsCancellationRequested)
                            {
                                loop.RefreshAsync(cancellationToken).GetAwaiter().GetResult();
                                int height = Math.Max(10, console.Profile.Height);
                                context.UpdateTarget(Frame(loop.Snapshot, loop.Notice, height, fill: true));
                                context.Refresh();
                                if (WaitForQuit(interval, cancellationToken)) return;
                            }
                        });
                }
                finally
                {
                    console.Cursor.Show();
                }
            });
        }

        /// <summary>
        /// Plain-text frames through <paramref name="write"/>: one frame with <paramref name="once"/>, else one per refresh
        /// until cancelled. Returns false when the (only) frame could not read the store.
        /// </summary>
        public static async Task<bool> RunPlainAsync(TcSession session, Action<string> write, bool once, TimeSpan interval, int width, CancellationToken cancellationToken)
        {
            var loop = new RefreshLoop(session);
            while (true)
            {
                await loop.RefreshAsync(cancellationToken).ConfigureAwait(false);
                write(PlainFrame(loop.Snapshot, loop.Notice, width));
                if (once) return loop.Notice is null;
                try { await Task.Delay(interval, cancellationToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return true; }
            }
        }

        /// <summary>A frame as plain text (no colour, ASCII borders), as many lines as it needs.</summary>
        public static string PlainFrame(ProjectSnapshot? snapshot, string? notice, int width)
        {
            var writer = new StringWriter { NewLine = "\n" };
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(writer),
            });
            console.Profile.Width = Math.Max(60, width);
            console.Write(Frame(snapshot, notice, int.MaxValue, fill: false, plain: true));
            return writer.ToString().TrimEnd('\n', ' ');
        }

        // ---- the frame ----

        /// <summary>
        /// One frame: a header and summary line, agents and messages beside the steps. With <paramref name="fill"/> a
        /// layout that fills <paramref name="height"/> lines; otherwise the sections one under another.
        /// </summary>
        public static IRenderable Frame(ProjectSnapshot? snapshot, string? notice, int height, bool fill, bool plain = false)
        {
            var header = Header(snapshot, notice, plain);
            if (snapshot is null) return header;
            var agents = AgentsTable(snapshot, plain);
            var messages = MessagesTable(snapshot, plain);
            int stepRows = fill ? Math.Max(3, height - 8) : int.MaxValue;
            var steps = StepsTable(snapshot, stepRows, plain);
            if (!fill) return new Rows(header, agents, steps, messages);
            var layout = new Layout("board").SplitRows(
                new Layout("header", header).Size(notice is null ? 3 : 4),
                new Layout("main").SplitColumns(
                    new Layout("left").Ratio(2).SplitRows(new Layout("agents", agents), new Layout("messages", messages)),
                    new Layout("steps", steps).Ratio(3)));
            return layout;
        }

        private static IRenderable Header(ProjectSnapshot? s, string? notice, bool plain)
        {
            var lines = new List<IRenderable>();
            string title = s is null ? "TraceCraft board: reading the project..."
                : $"TraceCraft board · project {s.Project} · {s.TakenAt.ToLocalTime():HH:mm:ss} · {s.Requests} request(s) this refresh · q or Ctrl-C to quit";
            lines.Add(new Text(title, plain ? Style.Plain : new Style(Color.Grey)));
            if (s is not null) lines.Add(new Text(Summary(s), plain ? Style.Plain : new Style(decoration: Decoration.Bold)));
            if (notice is not null) lines.Add(new Text("! " + notice, plain ? Style.Plain : new Style(Color.White, Color.Red, Decoration.Bold)));
            return new Rows(lines);
        }

        /// <summary>The one-line summary: counts by state and the completions of the last minute.</summary>
        public static string Summary(ProjectSnapshot s)
        {
            int ready = s.Steps.Count(v => v.IsReady), waiting = s.Steps.Count(v => v.Step.Status == StepStatus.Pending && !v.IsReady);
            var parts = new List<string>
            {
                $"{s.Steps.Count} steps: {s.Count(StepStatus.Complete)} complete, {s.Count(StepStatus.InProgress)} in progress, {ready} ready, {waiting} waiting",
            };
            if (s.Count(StepStatus.NeedsReview) > 0) parts.Add($"{s.Count(StepStatus.NeedsReview)} needs review");
            if (s.Count(StepStatus.Blocked) > 0) parts.Add($"{s.Count(StepStatus.Blocked)} blocked");
            if (s.Count(StepStatus.Failed) > 0) parts.Add($"{s.Count(StepStatus.Failed)} failed");
            parts.Add($"{s.CompletedWithin(TimeSpan.FromMinutes(1))} completed in the last minute");
            parts.Add($"{s.Agents.Count} agents ({s.Agents.Count(a => a.IsStale)} stale)");
            parts.Add($"{s.MessageMarks.Count} messages");
            return string.Join(" · ", parts);
        }

        private static Table NewTable(string title, bool plain, params string[] columns)
        {
            var table = new Table { Title = new TableTitle(title), Expand = true, Border = plain ? TableBorder.Ascii : TableBorder.Rounded };
            foreach (var c in columns) table.AddColumn(new TableColumn(c) { NoWrap = false });
            return table;
        }

        private static IRenderable AgentsTable(ProjectSnapshot s, bool plain)
        {
            var table = NewTable("Agents", plain, "Agent", "Heartbeat", "Holds");
            foreach (var a in s.Agents)
            {
                var style = plain ? Style.Plain : a.IsStale ? new Style(Color.Red) : new Style(Color.Green);
                string age = a.Age is TimeSpan t ? Age(t) + " ago" : "never";
                table.AddRow(new Text(a.Id), new Text(a.IsStale ? age + " (stale)" : age, style), new Text(a.Step ?? "-"));
            }
            if (s.Agents.Count == 0) table.AddRow(new Text("No agents."), new Text(""), new Text(""));
            return table;
        }

        private static IRenderable MessagesTable(ProjectSnapshot s, bool plain)
        {
            var table = NewTable("Last messages", plain, "Sent", "From", "To", "Message");
            foreach (var m in s.RecentMessages.Take(MessagesShown))
                table.AddRow(new Text(m.SentAt.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)), new Text(m.From),
                    new Text(m.Kind == MessageKind.Broadcast ? "everyone" : m.To), new Text(m.Text));
            if (s.RecentMessages.Count == 0) table.AddRow(new Text("No messages."), new Text(""), new Text(""), new Text(""));
            return table;
        }

        // Order of the groups on the board: what needs a person's eyes first.
        private static readonly string[] GroupOrder = { "in progress", "needs review", "blocked", "failed", "ready", "waiting", "pending", "complete" };

        private static IRenderable StepsTable(ProjectSnapshot s, int maxRows, bool plain)
        {
            var table = NewTable("Steps", plain, "State", "Step", "Detail");
            var rows = s.Steps.Select(v => (Group: GroupOf(v), View: v))
                .OrderBy(r => Array.IndexOf(GroupOrder, r.Group))
                // Newest completions first, so the ones that scroll off are the oldest.
                .ThenByDescending(r => r.Group == "complete" ? r.View.Step.CompletedAt ?? DateTimeOffset.MinValue : DateTimeOffset.MinValue)
                .ThenBy(r => r.View.Step.Id, StringComparer.Ordinal)
                .ToList();
            // Each row takes about one line; borders and title take four.
            int room = maxRows == int.MaxValue ? int.MaxValue : Math.Max(1, maxRows - 4);
            foreach (var (group, view) in rows.Take(rows.Count > room ? room - 1 : room))
                table.AddRow(new Text(group, plain ? Style.Plain : StyleOf(group, view)), new Text(view.Step.Id), new Text(Detail(view, s.TakenAt)));
            if (rows.Count > room) table.AddRow(new Text("..."), new Text($"{rows.Count - room + 1} more"), new Text(""));
            if (rows.Count == 0) table.AddRow(new Text("No steps."), new Text(""), new Text(""));
            return table;
        }

        private static string GroupOf(StepView v) => v.Step.Status switch
        {
            StepStatus.InProgress => "in progress",
            StepStatus.NeedsReview => "needs review",
            StepStatus.Blocked => "blocked",
            StepStatus.Failed => "failed",
            StepStatus.Complete => "complete",
            _ => v.IsReady ? "ready" : v.UnmetDependencies.Count > 0 ? "waiting" : "pending",
        };

        private static Style StyleOf(string group, StepView v) => group switch
        {
            "in progress" => v.LeaseExpired ? new Style(Color.Orange1) : new Style(Color.Blue),
            "needs review" => new Style(Color.Yellow),
            "blocked" => new Style(Color.Red, decoration: Decoration.Bold),
            "failed" => new Style(Color.Maroon, decoration: Decoration.Bold),
            "ready" => new Style(Color.Purple),
            "complete" => new Style(Color.Green),
            _ => new Style(Color.Grey),
        };

        private static string Detail(StepView v, DateTimeOffset now)
        {
            var step = v.Step;
            switch (step.Status)
            {
                case StepStatus.InProgress:
                    string lease = step.LeaseExpiresAt is DateTimeOffset expires
                        ? (expires <= now ? "lease expired" : "lease " + Countdown(expires - now))
                        : "no lease";
                    return $"{step.ClaimedBy ?? step.Agent} · token {step.Token?.ToString(CultureInfo.InvariantCulture) ?? "-"} · {lease}";
                case StepStatus.Complete:
                    return $"{step.Agent} at {(step.CompletedAt is DateTimeOffset c ? c.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) : "?")}" +
                           (v.Handoff?.NextAgent is string next ? $" -> {next}" : "");
                case StepStatus.Blocked:
                case StepStatus.NeedsReview:
                    return $"{step.Agent}" + (string.IsNullOrEmpty(v.Handoff?.Note) ? "" : ": " + v.Handoff!.Note);
                case StepStatus.Failed:
                    return $"after {step.Failures} attempt(s)";
                default:
                    return v.UnmetDependencies.Count > 0 ? "waits for " + string.Join(", ", v.UnmetDependencies)
                        : v.IsReady ? (step.Priority != 0 ? $"priority {step.Priority}" : "claim it") : "not declared";
            }
        }

        private static string Age(TimeSpan t) =>
            t.TotalSeconds < 60 ? $"{Math.Max(0, (int)t.TotalSeconds)}s" : t.TotalMinutes < 60 ? $"{(int)t.TotalMinutes}m" : t.TotalHours < 48 ? $"{(int)t.TotalHours}h" : $"{(int)t.TotalDays}d";

        private static string Countdown(TimeSpan t) =>
            t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : $"{t.Minutes}:{t.Seconds:00}";

        /// <summary>Waits out the interval; true when q was pressed. Ctrl-C cancels the token (the host's handler).</summary>
        private static bool WaitForQuit(TimeSpan interval, CancellationToken cancellationToken)
        {
            var until = DateTime.UtcNow + interval;
            while (DateTime.UtcNow < until && !cancellationToken.IsCancellationRequested)
            {
                if (!Console.IsInputRedirected && Console.KeyAvailable)
                {
                    var key = Console.ReadKey(intercept: true);
                    if (key.KeyChar is 'q' or 'Q') return true;
                }
                cancellationToken.WaitHandle.WaitOne(50);
            }
            return cancellationToken.IsCancellationRequested;
        }

        /// <summary>One reader, the last good snapshot and the outage notice, shared by the live and plain boards.</summary>
        private sealed class RefreshLoop
        {
            private readonly ProjectReader _reader;
            private DateTimeOffset? _failingSince;

            public RefreshLoop(TcSession session)
            {
                _reader = new ProjectReader(session, new ProjectReaderOptions { RecentMessages = MessagesShown });
            }

            public ProjectSnapshot? Snapshot { get; private set; }
            public string? Notice { get; private set; }

            public async Task RefreshAsync(CancellationToken cancellationToken)
            {
                try
                {
                    Snapshot = await _reader.RefreshAsync(cancellationToken).ConfigureAwait(false);
                    Notice = null;
                    _failingSince = null;
                }
                catch (TcException e)
                {
                    // The board outlives the store: keep the last frame, say since when it is stale, retry next time.
                    _failingSince ??= DateTimeOffset.Now;
                    Notice = $"Store unavailable since {_failingSince.Value:HH:mm:ss} ({e.Code}): {e.Message} Showing the last state read; retrying every second.";
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }
            }
        }
    }
}
