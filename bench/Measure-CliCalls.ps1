#Requires -Version 7.2
<#
.SYNOPSIS
Measures the wall time of single `tracecraft` calls: the native executable against the module through pwsh.

.DESCRIPTION
Run it with the pinned PowerShell: `dotnet pwsh bench/Measure-CliCalls.ps1`. Needs the native executable
(dotnet pwsh tools/Build-Native.ps1) and the module (dotnet pwsh ./build.ps1).

For each store (the local folder store; and the S3 server named by TRACECRAFT_TEST_S3_ENDPOINT, _ACCESS_KEY,
_SECRET_KEY and _BUCKET when they are set) and each host, it times -Iterations calls of each command, one new
process per call, from process start to exit (stdout and stderr read to the end):
  - `tracecraft --version`       process start-up alone (no store is touched)
  - `tracecraft claim <step>`    a fresh step each call (a conditional create plus status and heartbeat writes)
  - `tracecraft memory get k`    one read
  - `tracecraft inbox`           a listing plus reads (5 messages waiting)
Hosts: `native` (out/native/<rid>/tracecraft) and `pwsh-module`
(`$PSHOME/pwsh -NoProfile -NonInteractive -Command "Import-Module <psd1>; tracecraft ..."`, the pinned pwsh).
One unmeasured warm-up call precedes each series; every call must exit 0.

Writes bench/results/cli-calls-<yyyy-MM-dd>.json and prints a Markdown table. Target: native median <= 30 ms.
#>
[CmdletBinding()]
param(
    # Calls per command, host and store.
    [ValidateRange(1, 10000)]
    [int] $Iterations = 50,
    # Calls per command and store through pwsh (each costs about a second); default -Iterations.
    [ValidateRange(1, 10000)]
    [int] $PwshIterations = 0,
    [string] $NativePath,
    [string] $ModulePath,
    # Skip the pwsh host (native only).
    [switch] $NativeOnly,
    [string] $OutputDirectory
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = Split-Path -Parent $PSScriptRoot
if ($PwshIterations -eq 0) { $PwshIterations = $Iterations }
if (-not $OutputDirectory) { $OutputDirectory = Join-Path $PSScriptRoot 'results' }
$rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
if (-not $NativePath) { $NativePath = Join-Path $root "out/native/$rid/$($IsWindows ? 'tracecraft.exe' : 'tracecraft')" }
if (-not (Test-Path -LiteralPath $NativePath -PathType Leaf)) {
    throw "No native tracecraft at ${NativePath}: publish it with 'dotnet pwsh tools/Build-Native.ps1' (or pass -NativePath)."
}
$NativePath = (Resolve-Path -LiteralPath $NativePath).Path
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
if (-not $NativeOnly) {
    if (-not $ModulePath) {
        $version = ([xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.ModuleVersion | Where-Object { $_ } | Select-Object -First 1
        $ModulePath = Join-Path $root "out/TraceCraft/$version/TraceCraft.psd1"
    }
    if (-not (Test-Path -LiteralPath $ModulePath -PathType Leaf)) {
        throw "No module manifest at ${ModulePath}: build it with 'dotnet pwsh ./build.ps1' (or pass -ModulePath, or -NativeOnly)."
    }
    $ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
}

function Invoke-Timed {
    # Runs one process to its end; returns the wall time in milliseconds. Fails on a non-zero exit code.
    param([string] $FilePath, [string[]] $ArgumentList, [string] $WorkingDirectory, [hashtable] $Environment)
    $info = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $info.ArgumentList.Add($a) }
    $info.WorkingDirectory = $WorkingDirectory
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    foreach ($name in $Environment.Keys) { $info.Environment[$name] = $Environment[$name] }
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        $watch.Stop()
        if ($process.ExitCode -ne 0) {
            throw "'$FilePath $($ArgumentList -join ' ')' exited with $($process.ExitCode).`nstdout: $stdout`nstderr: $($stderr.Result)"
        }
    }
    finally {
        $process.Dispose()
    }
    $watch.Elapsed.TotalMilliseconds
}

function Get-Percentile([double[]] $Sorted, [double] $P) {
    # Nearest-rank percentile of an ascending array.
    $rank = [Math]::Max(1, [Math]::Ceiling($P / 100 * $Sorted.Count))
    $Sorted[$rank - 1]
}

function Get-Median([double[]] $Sorted) {
    $n = $Sorted.Count
    if ($n % 2) { $Sorted[($n - 1) / 2] } else { ($Sorted[$n / 2 - 1] + $Sorted[$n / 2]) / 2 }
}

function New-Store([string] $Name, [string[]] $InitArguments) {
    # A scratch folder with one agent initialized, a memory key and 5 messages waiting in its inbox.
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) "tracecraft-bench-$Name-$PID"
    if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
    $work = New-Item -ItemType Directory -Force (Join-Path $dir 'work')
    $envVars = @{ TRACECRAFT_HOME = (Join-Path $dir 'home'); TRACECRAFT_AGENT = 'bench' }
    $project = 'bench-' + [guid]::NewGuid().ToString('N').Substring(0, 10)
    $setup = [System.Collections.Generic.List[string[]]]::new()
    $setup.Add(@('init', '--project', $project, '--agent', 'bench') + $InitArguments)
    $setup.Add(@('memory', 'set', 'k', 'a value of moderate length'))
    foreach ($n in 1..5) { $setup.Add(@('send', 'bench', "message $n")) }
    foreach ($arguments in $setup) {
        $null = Invoke-Timed $NativePath $arguments $work.FullName $envVars
    }
    [pscustomobject]@{ Name = $Name; Directory = $dir; Work = $work.FullName; Environment = $envVars; Project = $project }
}

function Get-LoadAverage {
    if (Test-Path /proc/loadavg) { ((Get-Content -Raw /proc/loadavg) -split ' ')[0..2] -join ' ' } else { $null }
}
$loadBefore = Get-LoadAverage

$hosts = [System.Collections.Generic.List[object]]::new()
$hosts.Add([pscustomobject]@{
        Name = 'native'; Iterations = $Iterations
        Invoke = { param($store, [string[]] $arguments) Invoke-Timed $NativePath $arguments $store.Work $store.Environment }
    })
if (-not $NativeOnly) {
    $hosts.Add([pscustomobject]@{
            Name = 'pwsh-module'; Iterations = $PwshIterations
            Invoke = {
                param($store, [string[]] $arguments)
                # Arguments here are plain words: quote each one for the -Command string.
                $line = ($arguments | ForEach-Object { "'" + ($_ -replace "'", "''") + "'" }) -join ' '
                $command = "Import-Module '$($ModulePath -replace "'", "''")'; tracecraft $line; exit `$LASTEXITCODE"
                Invoke-Timed $pwsh @('-NoProfile', '-NonInteractive', '-Command', $command) $store.Work $store.Environment
            }
        })
}

$stores = [System.Collections.Generic.List[object]]::new()
$stores.Add((New-Store 'folder' @('--backend', 'folder', '--path', '../store')))
$s3Names = 'TRACECRAFT_TEST_S3_ENDPOINT', 'TRACECRAFT_TEST_S3_ACCESS_KEY', 'TRACECRAFT_TEST_S3_SECRET_KEY', 'TRACECRAFT_TEST_S3_BUCKET'
if (@($s3Names | Where-Object { -not [Environment]::GetEnvironmentVariable($_) }).Count -eq 0) {
    $stores.Add((New-Store 's3-rgw' @('--endpoint', $env:TRACECRAFT_TEST_S3_ENDPOINT, '--bucket', $env:TRACECRAFT_TEST_S3_BUCKET,
                '--access-key', $env:TRACECRAFT_TEST_S3_ACCESS_KEY, '--secret-key', $env:TRACECRAFT_TEST_S3_SECRET_KEY)))
}
else {
    Write-Warning 'TRACECRAFT_TEST_S3_* not set: measuring the folder store only.'
}

$commands = @(
    [pscustomobject]@{ Name = 'startup (--version)'; Arguments = { param($h, $i) @('--version') }; PerStore = $false }
    [pscustomobject]@{ Name = 'claim <fresh step>'; Arguments = { param($h, $i) @('claim', "step-$h-$i") }; PerStore = $true }
    [pscustomobject]@{ Name = 'memory get k'; Arguments = { param($h, $i) @('memory', 'get', 'k') }; PerStore = $true }
    [pscustomobject]@{ Name = 'inbox'; Arguments = { param($h, $i) @('inbox') }; PerStore = $true }
)

$results = [System.Collections.Generic.List[object]]::new()
function Add-Series([string] $HostName, [string] $CommandName, [string] $StoreName, [double[]] $Times) {
    $sorted = [double[]]($Times | Sort-Object)
    $results.Add([pscustomobject][ordered]@{
            host = $HostName; command = $CommandName; store = $StoreName; calls = $Times.Count
            median_ms = [Math]::Round((Get-Median $sorted), 1)
            p95_ms = [Math]::Round((Get-Percentile $sorted 95), 1)
            min_ms = [Math]::Round($sorted[0], 1)
            max_ms = [Math]::Round($sorted[-1], 1)
            mean_ms = [Math]::Round(($Times | Measure-Object -Average).Average, 1)
        })
}

# The harness's own floor: starting a process that does nothing, the same way (not counted against the target).
$floor = Get-Command -Name 'true' -CommandType Application -ErrorAction Ignore | Select-Object -First 1
if ($floor) {
    $null = Invoke-Timed $floor.Source @() $stores[0].Work @{}
    Add-Series 'baseline' 'true (process floor)' '-' ([double[]]@(1..$Iterations | ForEach-Object { Invoke-Timed $floor.Source @() $stores[0].Work @{} }))
}
try {
    foreach ($h in $hosts) {
        foreach ($command in $commands) {
            $targets = $command.PerStore ? $stores : @($stores[0])
            foreach ($store in $targets) {
                $storeName = $command.PerStore ? $store.Name : '-'
                Write-Host ("{0,-12} {1,-20} {2,-7} x{3}" -f $h.Name, $command.Name, $storeName, $h.Iterations) -ForegroundColor DarkGray
                $null = & $h.Invoke $store (& $command.Arguments "$($h.Name)-warmup" 0)
                $times = [double[]]@(1..$h.Iterations | ForEach-Object { & $h.Invoke $store (& $command.Arguments $h.Name $_) })
                Add-Series $h.Name $command.Name $storeName $times
            }
        }
    }
}
finally {
    foreach ($store in $stores) { Remove-Item -Recurse -Force $store.Directory -ErrorAction Ignore }
}

$nativeMedians = @($results | Where-Object { $_.host -eq 'native' -and $_.store -ne '-' } | ForEach-Object median_ms)
$targetMs = 30
$report = [ordered]@{
    date = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    machine = [ordered]@{
        os = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription
        rid = $rid
        cpus = [Environment]::ProcessorCount
        pwsh = $PSVersionTable.PSVersion.ToString()
        # Other work on the machine skews the numbers: the load average before and after the run (Linux).
        load_before = $loadBefore
        load_after = (Get-LoadAverage)
        # The nice value this ran at (Linux): a busy shared machine may call for `nice -n -10 dotnet pwsh ...`.
        nice = (Test-Path /proc/self/stat) ? [int](((Get-Content -Raw /proc/self/stat) -replace '^.*\) ', '') -split ' ')[16] : $null
    }
    native = [ordered]@{ path = $NativePath; bytes = (Get-Item -LiteralPath $NativePath).Length }
    module = $ModulePath
    stores = @($stores | ForEach-Object Name)
    target = [ordered]@{ native_median_ms = $targetMs; met = ($nativeMedians.Count -gt 0 -and ($nativeMedians | Measure-Object -Maximum).Maximum -le $targetMs) }
    results = $results
}
$null = New-Item -ItemType Directory -Force $OutputDirectory
$file = Join-Path $OutputDirectory ("cli-calls-{0}.json" -f (Get-Date -Format 'yyyy-MM-dd'))
$report | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $file -Encoding utf8NoBOM

$table = @(
    '| host | command | store | calls | median ms | p95 ms | min ms | max ms |'
    '|---|---|---|---:|---:|---:|---:|---:|'
    $results | ForEach-Object { "| $($_.host) | ``$($_.command)`` | $($_.store) | $($_.calls) | $($_.median_ms) | $($_.p95_ms) | $($_.min_ms) | $($_.max_ms) |" }
)
$table -join "`n" | Write-Host
Write-Host ''
Write-Host ("Target: native median <= {0} ms per store call: {1}" -f $targetMs, ($report.target.met ? 'met' : 'NOT met')) -ForegroundColor ($report.target.met ? 'Green' : 'Red')
if ($report.machine.load_before) { Write-Host "Load average before/after: $($report.machine.load_before) / $($report.machine.load_after) ($([Environment]::ProcessorCount) CPUs)" }
Write-Host "Results: $file"
