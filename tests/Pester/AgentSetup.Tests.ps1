# Set-TcAgentInstruction and `tracecraft setup`: the instructions block in CLAUDE.md / AGENTS.md, written from a real
# pwsh, idempotent, and never touching the user's own text. No store and no config are needed.

Describe 'Agent setup' -Tag 'Setup' {
    BeforeAll {
        $environment = $null
        Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
        $environment = Enter-TcTestEnvironment
        $folder = Join-Path $TestDrive 'repo'
        New-Item -ItemType Directory $folder | Out-Null
        Set-Location $folder
    }

    AfterAll {
        Exit-TcTestEnvironment $environment
    }

    It 'writes CLAUDE.md for claude-code and returns the file; a second run changes nothing' {
        $file = Set-TcAgentInstruction claude-code
        $file | Should -BeOfType System.IO.FileInfo
        $file.FullName | Should -BeExactly (Join-Path $folder 'CLAUDE.md')
        $text = Get-Content -Raw $file.FullName
        $text | Should -Match '^<!-- tracecraft:begin -->\n'
        $text | Should -Match 'claude mcp add tracecraft -- tracecraft mcp'
        $text | Should -Match 'claim --next --lease'
        (Get-Item $file.FullName).LastWriteTimeUtc = [datetime]::new(2020, 1, 1, 0, 0, 0, [DateTimeKind]::Utc)
        Set-TcAgentInstruction claude-code | Out-Null
        (Get-Item $file.FullName).LastWriteTimeUtc | Should -Be ([datetime]::new(2020, 1, 1, 0, 0, 0, [DateTimeKind]::Utc))
    }

    It 'updates its block inside a CRLF AGENTS.md in place, keeping the user''s text and CRLF' {
        $path = Join-Path $folder 'AGENTS.md'
        $user = "# Team rules`r`n`r`n<!-- tracecraft:begin -->`r`nold`r`n<!-- tracecraft:end -->`r`n`r`n## Mine`r`nkeep this`r`n"
        [IO.File]::WriteAllText($path, $user)
        Set-TcAgentInstruction codex | Out-Null
        $text = [IO.File]::ReadAllText($path)
        $text | Should -BeLike "# Team rules`r`n`r`n<!-- tracecraft:begin -->`r`n*`r`n<!-- tracecraft:end -->`r`n`r`n## Mine`r`nkeep this`r`n"
        $text | Should -Match '\[mcp_servers\.tracecraft\]'
        $text | Should -Not -Match '(?<!\r)\n'
        $text | Should -Not -Match '\r\nold\r\n'
    }

    It '-Print emits the block and writes nothing; -WhatIf writes nothing' {
        $empty = Join-Path $TestDrive 'empty'
        New-Item -ItemType Directory $empty | Out-Null
        Set-Location $empty
        $printed = Set-TcAgentInstruction agents-md -Print
        $printed | Should -BeOfType string
        $printed | Should -Match '<!-- tracecraft:end -->$'
        Set-TcAgentInstruction agents-md -WhatIf | Should -BeNullOrEmpty
        Get-ChildItem $empty | Should -BeNullOrEmpty
        Set-TcAgentInstruction agents-md -Path ./sub/ | Out-Null
        (Get-Content -Raw (Join-Path $empty 'sub/AGENTS.md')) | Should -BeExactly ($printed + "`n")
        Set-Location $folder
    }

    It 'damaged markers are MarkedBlockDamaged and the file is left as it was' {
        $path = Join-Path $TestDrive 'damaged.md'
        Set-Content $path "<!-- tracecraft:begin -->`nno end`n" -NoNewline
        Set-TcAgentInstruction codex -Path $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeExactly 'MarkedBlockDamaged,TraceCraft.PowerShell.Commands.SetTcAgentInstructionCommand'
        Get-Content -Raw $path | Should -BeExactly "<!-- tracecraft:begin -->`nno end`n"
    }

    It 'the tracecraft command writes the same block' {
        $other = Join-Path $TestDrive 'cli'
        New-Item -ItemType Directory $other | Out-Null
        Set-Location $other
        $r = Invoke-TcCli setup codex
        $r.ExitCode | Should -Be 0
        $r.Lines | Should -BeExactly @("Wrote the tracecraft instructions to $(Join-Path $other 'AGENTS.md')")
        (Get-Content -Raw (Join-Path $other 'AGENTS.md')) | Should -BeExactly ((Set-TcAgentInstruction codex -Print) + "`n")
        Set-Location $folder
    }
}
