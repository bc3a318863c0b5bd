# Session mirroring through the cmdlets: Sync-TcSession, Get-TcSession and Stop-TcSession on each store, from a Claude Code
# transcript and a Hermes WAL database written here. The Hermes case runs SQLite inside the module's own load context
# (the library comes from dependencies/runtimes), which is what a user's pwsh does.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'Session mirroring cmdlets on the <Backend> store' -Tag 'Sessions', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null; $savedHome = $env:HOME
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent coder -Prefix sessions
            $env:HOME = Join-Path $tc.Root 'home'
            $work = $tc.Folders.coder
            Set-Location $work
            $sessionId = 'c0ffee00-1111-2222-3333-444455556666'
            $transcript = Join-Path $env:HOME ".claude/projects/$($work.Replace('/', '-'))/$sessionId.jsonl"
            New-Item -ItemType Directory -Force (Split-Path $transcript) | Out-Null
            [IO.File]::WriteAllText($transcript, "{`"n`":1,`"key`":`"hf_$('a' * 34)`"}`n{`"n`":2}`n{`"n`":")
        }

        AfterAll {
            $env:HOME = $savedHome
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        It 'Sync-TcSession uploads the complete lines, redacted, and then nothing until more is written' {
            $first = Sync-TcSession claude-code
            $first.PSObject.TypeNames[0] | Should -Be 'TraceCraft.MirrorResult'
            $first.SessionId | Should -Be $sessionId
            $first.Part.Name | Should -Match '^part-00000-[a-f0-9]{8}$'
            $first.Part.Redactions.ToPythonText() | Should -Be "{'hf_token': 1}"
            (Sync-TcSession claude-code -SessionId $sessionId).Part | Should -BeNullOrEmpty
            [IO.File]::AppendAllText($transcript, "3}`n")
            (Sync-TcSession claude-code).Part.Seq | Should -Be 1
        }

        It 'Sync-TcSession -WhatIf reads and writes nothing' {
            [IO.File]::AppendAllText($transcript, "{`"n`":4}`n")
            Sync-TcSession claude-code -WhatIf | Should -BeNullOrEmpty
            (Get-TcSession $sessionId).PartCount | Should -Be 2
            (Sync-TcSession claude-code).Part.Seq | Should -Be 2
        }

        It 'mirrors Hermes from a WAL database held open by its writer (SQLite in the module''s load context)' {
            $assemblies = [AppDomain]::CurrentDomain.GetAssemblies()
            $raw = ($assemblies | Where-Object { $_.GetName().Name -eq 'SQLitePCLRaw.core' } | Select-Object -First 1).GetType('SQLitePCL.raw')
            $batteries = ($assemblies | Where-Object { $_.GetName().Name -eq 'SQLitePCLRaw.batteries_v2' } | Select-Object -First 1).GetType('SQLitePCL.Batteries_V2')
            $batteries::Init()
            $database = Join-Path $env:HOME '.hermes/state.db'
            New-Item -ItemType Directory -Force (Split-Path $database) | Out-Null
            $db = $null
            $raw::sqlite3_open($database, [ref] $db) | Should -Be 0
            try {
                $raw::sqlite3_exec($db, 'PRAGMA journal_mode=WAL') | Should -Be 0
                $raw::sqlite3_exec($db, 'CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT, role TEXT, content TEXT, timestamp REAL)') | Should -Be 0
                $raw::sqlite3_exec($db, "INSERT INTO messages (session_id, role, content, timestamp) VALUES ('hermes-1', 'user', 'hello', 1.5)") | Should -Be 0
                $result = Sync-TcSession hermes
                $result.SessionId | Should -Be 'hermes-1'
                $result.Cursor | Should -Be 1
                (Get-TcSession hermes-1 -Tail 1).Tail | Should -Be '{"id":1,"session_id":"hermes-1","role":"user","content":"hello","timestamp":1.5}'
            }
            finally {
                $db.Dispose()
            }
        }

        It 'Get-TcSession lists from the store alone, in a table that fits 80 columns' {
            Remove-Item -Recurse -Force (Join-Path $env:TRACECRAFT_HOME 'mirror-state')
            $sessions = @(Get-TcSession -SortBy Size)
            # Hermes' one line (80 bytes) is bigger than the Claude Code transcript after redaction (hf_ + 34 -> 19 characters).
            $sessions.SessionId | Should -Be @('hermes-1', $sessionId)
            $sessions[1].TotalUploadedBytes | Should -Be ((Get-Item $transcript).Length - 18)
            @(Get-TcSession -Harness hermes).SessionId | Should -Be 'hermes-1'
            (Get-TcSession $sessionId -Tail 2).Tail | Should -Be @('{"n":3}', '{"n":4}')
            foreach ($line in ($sessions | Format-Table | Out-String -Width 80) -split "`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 80 }
            (tracecraft session list)[0] | Should -BeExactly 'HARNESS        SESSION                 BYTES  PARTS LAST UPLOAD              '
            Get-TcSession nope -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeExactly 'SessionNotFound,TraceCraft.PowerShell.Commands.GetTcSessionCommand'
        }

        It 'Stop-TcSession marks the session ended once and honours -WhatIf' {
            Stop-TcSession $sessionId -WhatIf | Should -BeNullOrEmpty
            (Get-TcSession $sessionId).EndedAt | Should -BeNullOrEmpty
            $stopped = Get-TcSession -Harness claude-code | Stop-TcSession
            $stopped.MetaMarkedEnded | Should -BeTrue
            (Get-TcSession $sessionId).EndedAt | Should -Not -BeNullOrEmpty
            (Stop-TcSession $sessionId).MetaMarkedEnded | Should -BeFalse
        }
    }
}
