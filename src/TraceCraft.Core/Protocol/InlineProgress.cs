using System;

namespace TraceCraft.Protocol
{
    /// <summary>An IProgress that reports on the reporting thread (Progress&lt;T&gt; would post to a captured context).</summary>
    public sealed class InlineProgress<T> : IProgress<T>
    {
        private readonly Action<T> _report;
        public InlineProgress(Action<T> report) => _report = report;
        public void Report(T value) => _report(value);
    }
}
