using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Storage;
using TraceCraft.Wire;

namespace TraceCraft.Protocol
{
    /// <summary>How one attempt at a step ended (or that it has not).</summary>
    public static class AttemptOutcome
    {
        public const string Running = "in_progress";
        public const string Complete = StepStatus.Complete;
        public const string Blocked = StepStatus.Blocked;
        public const string NeedsReview = StepStatus.NeedsReview;
        public const string Failed = StepStatus.Failed;
        /// <summary>Handed back by its holder (release) or by an operator (reopen).</summary>
        public const string Released = "released";
        /// <summary>Its lease ran out and another agent took the step over.</summary>
        public const string TakenOver = "taken_over";
    }

    /// <summary>One holder's attempt at a step: a bar of the report's timeline.</summary>
    public sealed class StepAttempt
    {
        public string StepId { get; init; } = "";
        public string Agent { get; init; } = "";
        public long Token { get; init; }
        /// <summary>Null when the claim did not record it.</summary>
        public DateTimeOffset? ClaimedAt { get; init; }
        /// <summary>When it ended; null while it runs.</summary>
        public DateTimeOffset? EndedAt { get; init; }
        /// <summary>One of <see cref="AttemptOutcome"/>.</summary>
        public string Outcome { get; init; } = AttemptOutcome.Running;
        /// <summary>Who ended it (the finisher, the releaser, the agent that took it over).</summary>
        public string? EndedBy { get; init; }
        public DateTimeOffset? LeaseExpiresAt { get; init; }
        /// <summary>The agent whose expired lease this attempt took over.</summary>
        public string? TakenOverFrom { get; init; }
    }

    /// <summary>A step as the board and the report show it: its state, what it waits for, its handoffs and attempts.</summary>
    public sealed class StepView
    {
        public Step Step { get; init; } = new Step();
        /// <summary>Declared dependencies that are not complete.</summary>
        public IReadOnlyList<string> UnmetDependencies { get; init; } = Array.Empty<string>();
        /// <summary>Claim-next would hand it out now: declared, dependencies complete, free (or its holder's lease ran out).</summary>
        public bool IsReady { get; init; }
        /// <summary>In progress, but the holder's lease ran out: the next claimer takes it over.</summary>
        public bool LeaseExpired { get; init; }
        /// <summary>The current handoff (the seal's, else handoff.json), or null.</summary>
        public Handoff? Handoff { get; init; }
        /// <summary>Handoffs of earlier runs (reopened steps), oldest first; read only with <see cref="ProjectReaderOptions.History"/>.</summary>
        public IReadOnlyList<Handoff> HandoffHistory { get; init; } = Array.Empty<Handoff>();
        /// <summary>Every attempt, oldest first; earlier ones only with <see cref="ProjectReaderOptions.History"/>.</summary>
        public IReadOnlyList<StepAttempt> Attempts { get; init; } = Array.Empty<StepAttempt>();
    }

    /// <summary>A message as its key tells it, without reading its body: who, to whom, when.</summary>
    public sealed class MessageMark
    {
        public string Id { get; init; } = "";
        public string Key { get; init; } = "";
        public string From { get; init; } = "";
        /// <summary>The recipient folder: an agent, or <c>_broadcast</c>.</summary>
        public string To { get; init; } = "";
        public MessageKind Kind { get; init; }
        public DateTimeOffset SentAt { get; init; }
    }

    /// <summary>What the project looks like at one moment: the one model behind the live board and the HTML report.</summary>
    public sealed class ProjectSnapshot
    {
        public string Project { get; init; } = "";
        /// <summary>The store-corrected time of the refresh.</summary>
        public DateTimeOffset TakenAt { get; init; }
        public IReadOnlyList<Agent> Agents { get; init; } = Array.Empty<Agent>();
        /// <summary>Every step, in id order.</summary>
        public IReadOnlyList<StepView> Steps { get; init; } = Array.Empty<StepView>();
        /// <summary>Every message in the store, oldest first (from the keys; no body read).</summary>
        public IReadOnlyList<MessageMark> MessageMarks { get; init; } = Array.Empty<MessageMark>();
        /// <summary>The newest messages with their text, newest first (<see cref="ProjectReaderOptions.RecentMessages"/>).</summary>
        public IReadOnlyList<Message> RecentMessages { get; init; } = Array.Empty<Message>();
        /// <summary>Store requests this refresh cost (listing pages, reads, the clock).</summary>
        public int Requests { get; init; }

        public int Count(string status) => Steps.Count(s => s.Step.Status == status);

        /// <summary>Steps completed in the window before <see cref="TakenAt"/>: the board's throughput.</summary>
        public int CompletedWithin(TimeSpan window) =>
            Steps.Count(s => s.Step.Status == StepStatus.Complete && s.Step.CompletedAt is DateTimeOffset at && at > TakenAt - window && at <= TakenAt + TimeSpan.FromSeconds(5));
    }

    /// <summary>What a <see cref="ProjectReader"/> reads beyond the current state.</summary>
    public sealed class ProjectReaderOptions
    {
        /// <summary>Also read archived attempts and earlier handoffs (the report; the board does not need them).</summary>
        public bool History { get; init; }
        /// <summary>How many of the newest messages to read with their text.</summary>
        public int RecentMessages { get; init; } = 10;
        public TimeSpan StaleAfter { get; init; } = AgentService.DefaultStaleAfter;
    }

    /// <summary>
    /// Reads what the project looks like, refresh after refresh, at a cost that does not grow with what is unchanged.
    /// Steps and agents come from the session's object mirrors (<see cref="ObjectMirror"/>: one listing of <c>steps/</c> and
    /// of <c>agents/</c>, one request per 1,000 objects each, and reads of only the objects that changed); the messages are
    /// known from a listing of their keys (sender and time), and only the newest few are read for their text, once each (a
    /// message never changes). A steady project costs 3 listings plus a page per further 1,000 objects per refresh,
    /// whatever the number of steps. Objects are parsed again only when their bytes changed.
    /// State is derived as every reader derives it (<see cref="StepState"/>, <see cref="StepService"/>).
    /// Not thread-safe: one refresh at a time.
    /// </summary>
    public sealed class ProjectReader
    {
        private readonly TcSession _session;
        private readonly ProjectReaderOptions _options;
        private readonly ObjectMirror _steps;
        // Key -> the bytes last parsed and what they gave (null when unreadable: warned once per version).
        private readonly Dictionary<string, (byte[] Body, object? Value)> _parsed = new Dictionary<string, (byte[] Body, object? Value)>(StringComparer.Ordinal);
        private readonly Dictionary<string, Message> _messageBodies = new Dictionary<string, Message>(StringComparer.Ordinal);
        private int _requests;

        public ProjectReader(TcSession session, ProjectReaderOptions? options = null)
        {
            _session = session;
            _options = options ?? new ProjectReaderOptions();
            // Its own mirror of steps/: the board and the report also want the handoffs (and the report the history).
            _steps = new ObjectMirror(session, _options.History ? "report-steps" : "board-steps", session.Layout.StepsPrefix, IsStepObjectWanted);
        }

        /// <summary>
        /// Reads the project again. Store failures (StoreUnreachable, StoreFailed...) propagate: the caller keeps the last
        /// snapshot and shows the outage; the next refresh starts from what was mirrored.
        /// </summary>
        public async Task<ProjectSnapshot> RefreshAsync(CancellationToken cancellationToken = default)
        {
            _requests = 0;
            var layout = _session.Layout;
            if (!_session.Clock.IsMeasured) _requests++;
            var clock = _session.Clock.SyncAsync(_session.Store, cancellationToken);
            var steps = _steps.RefreshAsync(cancellationToken);
            var agents = _session.Agents.Records.RefreshAsync(cancellationToken);
            var messagesListing = _session.Store.ListAllAsync(layout.AllMessagesPrefix, null, cancellationToken);
            await Task.WhenAll(clock, steps, agents, messagesListing).ConfigureAwait(false);
            _requests += steps.Result.Requests + agents.Result.Requests + ObjectStoreExtensions.ListPagesFor(messagesListing.Result.Count);

            var current = steps.Result.Objects.Concat(agents.Result.Objects).ToList();
            var present = new HashSet<string>(current.Select(o => o.Key), StringComparer.Ordinal);
            foreach (var gone in _parsed.Keys.Where(k => !present.Contains(k)).ToList()) _parsed.Remove(gone);
            foreach (var o in current)
                if (!(_parsed.TryGetValue(o.Key, out var seen) && ReferenceEquals(seen.Body, o.Value.Body)))
                    _parsed[o.Key] = (o.Value.Body!, ParseOrWarn(o.Key, o.Value));
            foreach (var unreadable in steps.Result.Unreadable.Concat(agents.Result.Unreadable)) _session.Warn($"Skipped '{unreadable.Key}': {unreadable.Value}");

            var marks = MarksOf(messagesListing.Result);
            var recent = await ReadRecentMessagesAsync(marks, cancellationToken).ConfigureAwait(false);
            var now = _session.Clock.Now;
            return new ProjectSnapshot
            {
                Project = layout.Project,
                TakenAt = now,
                Agents = _parsed.Where(p => p.Key.StartsWith(layout.AgentsPrefix, StringComparison.Ordinal) && p.Value.Value is Agent)
                    .Select(p => ((Agent)p.Value.Value!).AgedAt(now, _options.StaleAfter)).OrderBy(a => a.Id, StringComparer.Ordinal).ToList(),
                Steps = ComposeSteps(now),
                MessageMarks = marks,
                RecentMessages = recent,
                Requests = _requests,
            };
        }

        private bool IsStepObjectWanted(string key)
        {
            string name = key.Substring(key.LastIndexOf('/') + 1);
            if (name is "claim.json" or "status.json" or "spec.json" or "handoff.json") return Depth(key) == 1;
            return _options.History && Depth(key) == 2 && name.EndsWith(".json", StringComparison.Ordinal)
                && (key.Contains("/attempts/") || key.Contains("/handoffs/"));
        }

        // Folders below steps/<sid>/: 1 for steps/<sid>/claim.json, 2 for steps/<sid>/attempts/<n>.json.
        private int Depth(string key) => key.Substring(_session.Layout.StepsPrefix.Length).Count(c => c == '/');

        private object? ParseOrWarn(string key, ObjectRead read)
        {
            try { return Parse(key, read.Body!, read.ETag); }
            catch (TcException e) when (e.Code is TcErrorCode.CorruptObject or TcErrorCode.InvalidIdentifier)
            {
                // Warned once per version of the object, not at every refresh.
                _session.Warn($"Skipped '{key}': {e.Message}");
                return null;
            }
        }

        private object Parse(string key, byte[] body, string? etag)
        {
            var layout = _session.Layout;
            if (key.StartsWith(layout.AgentsPrefix, StringComparison.Ordinal)) return AgentWire.Read(key, body);
            string folder = FolderOf(key);
            string name = key.Substring(key.LastIndexOf('/') + 1);
            if (key.Contains("/attempts/")) return StepWire.ReadAttempt(folder, key, body);
            if (key.Contains("/handoffs/")) return new HistoricHandoff(StepWire.ReadHandoff(folder, key, body));
            return name switch
            {
                "claim.json" => StepWire.ReadClaim(folder, key, body, etag),
                "status.json" => StepWire.ReadStatus(key, body, etag),
                "spec.json" => StepWire.ReadSpec(key, body),
                _ => StepWire.ReadHandoff(folder, key, body),
            };
        }

        // An earlier run's handoff, kept apart from the current one (same type on the wire).
        private sealed class HistoricHandoff
        {
            public HistoricHandoff(Handoff handoff) => Handoff = handoff;
            public Handoff Handoff { get; }
        }

        private string FolderOf(string key)
        {
            string rest = key.Substring(_session.Layout.StepsPrefix.Length);
            return rest.Substring(0, rest.IndexOf('/'));
        }

        private IReadOnlyList<StepView> ComposeSteps(DateTimeOffset now)
        {
            var stepsPrefix = _session.Layout.StepsPrefix;
            var byFolder = _parsed.Where(p => p.Key.StartsWith(stepsPrefix, StringComparison.Ordinal))
                .GroupBy(p => FolderOf(p.Key), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var steps = new Dictionary<string, (Step Step, StepClaim? Claim, Handoff? Handoff, List<StepAttemptRecord> Archived, List<Handoff> History)>(StringComparer.Ordinal);
            foreach (var pair in byFolder)
            {
                StatusRecord? status = null; StepClaim? claim = null; StepSpec? spec = null; Handoff? copy = null;
                var archived = new List<StepAttemptRecord>();
                var history = new List<Handoff>();
                foreach (var entry in pair.Value.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    switch (entry.Value.Value)
                    {
                        case StatusRecord s: status = s; break;
                        case StepClaim c: claim = c; break;
                        case StepSpec s: spec = s; break;
                        case Handoff h: copy = h; break;
                        case StepAttemptRecord a: archived.Add(a); break;
                        case HistoricHandoff h: history.Add(h.Handoff); break;
                    }
                }
                // A folder of only history (or only unreadable objects) is no step.
                if (status is null && claim is null && spec is null && copy is null) continue;
                string id = spec?.Id ?? claim?.Handoff?.FromStep ?? copy?.FromStep ?? pair.Key;
                var step = StepService.Compose(id, status, claim is null ? null : claim with { StepId = id }, spec);
                steps[pair.Key] = (step, claim, claim?.Handoff ?? (step.Status == StepStatus.Pending ? null : copy), archived, history);
            }

            var views = new List<StepView>();
            foreach (var pair in steps.OrderBy(p => p.Value.Step.Id, StringComparer.Ordinal))
            {
                var (step, claim, handoff, archived, history) = pair.Value;
                var unmet = step.DependsOn.Where(d => !(steps.TryGetValue(ProjectLayout.StepFolder(d), out var dep) && dep.Step.IsComplete)).ToList();
                bool expired = step.Status == StepStatus.InProgress && step.LeaseExpiresAt is DateTimeOffset expires && expires <= now;
                bool free = (step.Status == StepStatus.Pending && step.ClaimedBy is null) || expired;
                views.Add(new StepView
                {
                    Step = step,
                    UnmetDependencies = unmet,
                    // Only declared steps are handed out by claim-next.
                    IsReady = free && unmet.Count == 0 && byFolder[pair.Key].Any(e => e.Value.Value is StepSpec),
                    LeaseExpired = expired,
                    Handoff = handoff,
                    HandoffHistory = history.OrderBy(h => h.CreatedAt).ToList(),
                    Attempts = AttemptsOf(step.Id, claim, archived),
                });
            }
            return views;
        }

        /// <summary>The archived attempts and the current claim as bars: each ends where the next began, or as it was sealed.</summary>
        internal static IReadOnlyList<StepAttempt> AttemptsOf(string stepId, StepClaim? current, IReadOnlyList<StepAttemptRecord> archived)
        {
            var claims = archived.Select(a => (a.Claim, a.ReplacedBy, a.ReplacedAt)).ToList();
            if (current is not null) claims.Add((current, null, null));
            claims = claims.GroupBy(c => c.Claim.Token).Select(g => g.Last()).OrderBy(c => c.Claim.Token).ToList();
            var attempts = new List<StepAttempt>();
            for (int i = 0; i < claims.Count; i++)
            {
                var (claim, replacedBy, replacedAt) = claims[i];
                var next = i + 1 < claims.Count ? claims[i + 1].Claim : null;
                // A released claim that nobody ran (reopen writes one in the reopener's name) is no attempt.
                if (claim.IsReleased && claim.FinishedAt is DateTimeOffset f && f == claim.ClaimedAt) continue;
                DateTimeOffset? claimedAt = claim.ClaimedAt == DateTimeOffset.MinValue ? null : claim.ClaimedAt;
                string outcome;
                DateTimeOffset? endedAt;
                string? endedBy;
                if (claim.State is string state)
                {
                    outcome = state == StepClaim.Released ? AttemptOutcome.Released : state;
                    endedAt = claim.FinishedAt;
                    endedBy = claim.FinishedBy ?? claim.Agent;
                }
                else if (next is not null || replacedAt is not null)
                {
                    // Replaced while held: a takeover after its lease ran out (or a forced reopen).
                    bool takenOver = next?.TakenOverFrom == claim.Agent;
                    outcome = takenOver ? AttemptOutcome.TakenOver : AttemptOutcome.Released;
                    endedAt = takenOver && claim.ExpiresAt is DateTimeOffset e ? e : replacedAt ?? next?.ClaimedAt;
                    endedBy = replacedBy ?? next?.Agent;
                }
                else
                {
                    outcome = AttemptOutcome.Running;
                    endedAt = null;
                    endedBy = null;
                }
                attempts.Add(new StepAttempt
                {
                    StepId = stepId,
                    Agent = claim.Agent,
                    Token = claim.Token,
                    ClaimedAt = claimedAt,
                    EndedAt = endedAt,
                    Outcome = outcome,
                    EndedBy = endedBy,
                    LeaseExpiresAt = claim.ExpiresAt,
                    TakenOverFrom = claim.TakenOverFrom,
                });
            }
            return attempts;
        }

        private List<MessageMark> MarksOf(IReadOnlyList<ObjectInfo> listed)
        {
            string prefix = _session.Layout.AllMessagesPrefix;
            var marks = new List<MessageMark>();
            foreach (var o in listed)
            {
                string rest = o.Key.Substring(prefix.Length);
                int slash = rest.IndexOf('/');
                if (slash <= 0 || rest.IndexOf('/', slash + 1) >= 0 || !rest.EndsWith(".json", StringComparison.Ordinal)) continue;
                string id = ProjectLayout.MessageIdOf(o.Key);
                ProjectLayout.ReadMessageId(id, out var sender, out var sentAt);
                if (sender is null || sentAt is null) continue;
                string to = rest.Substring(0, slash);
                marks.Add(new MessageMark
                {
                    Id = id, Key = o.Key, From = sender, To = to, SentAt = sentAt.Value,
                    Kind = to == "_broadcast" ? MessageKind.Broadcast : MessageKind.Direct,
                });
            }
            return marks.OrderBy(m => m.SentAt).ThenBy(m => m.Key, StringComparer.Ordinal).ToList();
        }

        /// <summary>The newest messages with their text: each body is read once (messages never change).</summary>
        private async Task<IReadOnlyList<Message>> ReadRecentMessagesAsync(IReadOnlyList<MessageMark> marks, CancellationToken cancellationToken)
        {
            var newest = marks.Reverse().Take(Math.Max(0, _options.RecentMessages)).ToList();
            var missing = newest.Where(m => !_messageBodies.ContainsKey(m.Key)).ToList();
            await Parallelism.MapAsync(missing, async mark =>
            {
                Interlocked.Increment(ref _requests);
                var read = await _session.Store.GetAsync(mark.Key, null, cancellationToken).ConfigureAwait(false);
                Message message;
                try
                {
                    message = read.Found ? MessageWire.Read(mark.Key, read.Body!, mark.Kind == MessageKind.Broadcast)
                        : new Message { Id = mark.Id, Key = mark.Key, From = mark.From, To = mark.To, Kind = mark.Kind, SentAt = mark.SentAt, Text = "(deleted)" };
                }
                catch (TcException e) when (e.Code == TcErrorCode.CorruptObject)
                {
                    message = new Message { Id = mark.Id, Key = mark.Key, From = mark.From, To = mark.To, Kind = mark.Kind, SentAt = mark.SentAt, Text = "(unreadable)" };
                }
                lock (_messageBodies) _messageBodies[mark.Key] = message;
                return true;
            }, cancellationToken).ConfigureAwait(false);
            // Forget bodies of messages that are gone or no longer among the newest.
            var keep = new HashSet<string>(newest.Select(m => m.Key), StringComparer.Ordinal);
            foreach (var key in _messageBodies.Keys.Where(k => !keep.Contains(k)).ToList()) _messageBodies.Remove(key);
            return newest.Select(m => _messageBodies[m.Key]).ToList();
        }
    }
}
