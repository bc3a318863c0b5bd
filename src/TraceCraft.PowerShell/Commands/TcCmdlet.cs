using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.PowerShell.Errors;
using TraceCraft.Storage;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Base of every TraceCraft cmdlet: finds the session for this runspace and folder, runs engine calls while
    /// pumping their verbose lines, warnings and progress onto the pipeline thread (the only thread that may
    /// write to the streams), cancels on Ctrl+C, and turns engine errors into ErrorRecords with stable ids.
    /// </summary>
    public abstract class TcCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>
        /// The cmdlet whose engine call is running on this async flow. The session is shared by every command of a
        /// runspace (<see cref="SessionRegistry"/>), and in <c>Get-TcStep | Request-TcStep</c> both commands are
        /// alive at once, so its observer cannot hold "the" cmdlet: each <see cref="Run{T}(Func{CancellationToken, Task{T}})"/>
        /// marks its own flow, and every request and warning of that call (on whichever thread it completes)
        /// reaches the cmdlet that made it. Work started outside a Run (a heartbeat timer, a completer) belongs to
        /// no invocation and reports nowhere.
        /// </summary>
        private static readonly AsyncLocal<TcCmdlet?> Calling = new AsyncLocal<TcCmdlet?>();

        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private readonly BlockingCollection<Action> _mainThreadWork = new BlockingCollection<Action>();
        private TcSession? _session;

        protected CancellationToken Cancellation => _cancellation.Token;

        /// <summary>The session of this runspace and working folder (opened once, reused while the config is unchanged).</summary>
        protected TcSession Session => _session ??= SessionRegistry.Get(this);

        protected override void StopProcessing() => _cancellation.Cancel();

        protected sealed override void ProcessRecord()
        {
            try
            {
                ProcessItem();
            }
            catch (TcException e)
            {
                Report(e);
            }
        }

        protected sealed override void EndProcessing()
        {
            try
            {
                EndItems();
            }
            catch (TcException e)
            {
                Report(e);
            }
            // Presence: every command refreshes the heartbeat, at most once a minute (best effort).
            if (_session is not null) TryRun(ct => _session.Agents.TouchAsync(cancellationToken: ct));
        }

        /// <summary>The work for one pipeline input (or the one call without input).</summary>
        protected virtual void ProcessItem() { }

        /// <summary>Work after all input was seen (e.g. one wait for all piped steps).</summary>
        protected virtual void EndItems() { }

        /// <summary>The session's request observer: the request goes to the cmdlet whose call made it.</summary>
        internal static void ReportToCaller(StoreRequest request) => Calling.Value?.OnRequest(request);

        /// <summary>The session's warning sink: the warning goes to the cmdlet whose call raised it.</summary>
        internal static void WarnCaller(string warning) => Calling.Value?.OnWarning(warning);

        /// <summary>Called from any thread: queued for the pipeline thread.</summary>
        internal void OnRequest(StoreRequest request) => Post(() => WriteVerbose($"TraceCraft {request}"));

        internal void OnWarning(string warning) => Post(() => WriteWarning(warning));

        protected void Post(Action action)
        {
            try
            {
                _mainThreadWork.Add(action);
            }
            catch (InvalidOperationException)
            {
                // The command has ended: a late report (a background heartbeat, a stray continuation) has nowhere to go.
            }
        }

        /// <summary>Runs engine work to completion, writing what it reports as it goes. Engine errors surface as TcException.</summary>
        protected T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            var task = Task.Run(() =>
            {
                // Set inside the task, so only this call's flow carries it (the pipeline thread stays unmarked).
                Calling.Value = this;
                return work(_cancellation.Token);
            });
            // Wake the pump the moment the work ends, instead of when its next 50 ms wait runs out.
            task.ContinueWith(_ => Post(() => { }), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            while (!task.IsCompleted)
            {
                if (_mainThreadWork.TryTake(out var action, 50)) action();
            }
            while (_mainThreadWork.TryTake(out var action)) action();
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        protected void Run(Func<CancellationToken, Task> work) => Run<bool>(async ct => { await work(ct).ConfigureAwait(false); return true; });

        /// <summary>Runs engine work in this runspace's session, found here on the pipeline thread (it is thread-local).</summary>
        protected T Run<T>(Func<TcSession, CancellationToken, Task<T>> work)
        {
            var session = Session;
            return Run(ct => work(session, ct));
        }

        protected void Run(Func<TcSession, CancellationToken, Task> work)
        {
            var session = Session;
            Run(ct => work(session, ct));
        }

        private void TryRun(Func<CancellationToken, Task> work)
        {
            try { Run(work); } catch (TcException) { } catch (PipelineStoppedException) { }
        }

        /// <summary>Reports an engine error: terminating when the command cannot run at all, else for this item only.</summary>
        protected void Report(TcException e)
        {
            var record = ErrorRecordFactory.Create(e);
            if (ErrorRecordFactory.IsFatal(e.Code)) ThrowTerminatingError(record);
            else WriteError(record);
        }

        /// <summary>Runs one item's work, reporting an engine error for that item and going on with the next.</summary>
        protected void ForItem(Action work)
        {
            try
            {
                work();
            }
            catch (TcException e)
            {
                Report(e);
            }
        }

        /// <summary>Where relative paths are resolved: PowerShell's current folder, not the process's.</summary>
        protected string WorkingDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

        /// <summary>PowerShell disposes a cmdlet when its pipeline ends: later reports are dropped from then on.</summary>
        public void Dispose()
        {
            _mainThreadWork.CompleteAdding();
            _cancellation.Dispose();
        }
    }
}
