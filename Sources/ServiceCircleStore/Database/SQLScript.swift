/// Splits a SQL script into statements. PostgresNIO speaks only the extended query protocol, which takes one
/// statement at a time, so migration files are split here — respecting quotes, comments and dollar quotes.
enum SQLScript {
    static func statements(_ sql: String) -> [String] {
        let s = Array(sql.unicodeScalars)
        var out: [String] = []
        var cur = String.UnicodeScalarView()
        var i = 0
        func flush() {
            let stmt = String(cur).trimmingWhitespace
            if !stmt.isEmpty && !stmt.allSatisfy({ $0 == ";" }) { out.append(stmt) }
            cur = String.UnicodeScalarView()
        }
        while i < s.count {
            let c = s[i]
            if c == "-", i + 1 < s.count, s[i + 1] == "-" {
                while i < s.count, s[i] != "\n" { i += 1 }
                continue
            }
            if c == "/", i + 1 < s.count, s[i + 1] == "*" {
                var depth = 0
                repeat {
                    if s[i] == "/", i + 1 < s.count, s[i + 1] == "*" { depth += 1; i += 2; continue }
                    if s[i] == "*", i + 1 < s.count, s[i + 1] == "/" { depth -= 1; i += 2; continue }
                    i += 1
                } while i < s.count && depth > 0
                continue
            }
            if c == "'" || c == "\"" {
                cur.append(c)
                i += 1
                while i < s.count {
                    cur.append(s[i])
                    if s[i] == c {
                        if i + 1 < s.count, s[i + 1] == c { cur.append(s[i + 1]); i += 2; continue }
                        i += 1
                        break
                    }
                    i += 1
                }
                continue
            }
            if c == "$" {
                // A dollar-quote tag: $$ or $tag$.
                var j = i + 1
                while j < s.count, s[j] == "_" || s[j].properties.isAlphabetic || (j > i + 1 && s[j].properties.numericType != nil) { j += 1 }
                if j < s.count, s[j] == "$" {
                    let tag = Array(s[i...j])
                    cur.append(contentsOf: tag)
                    i = j + 1
                    while i < s.count {
                        if s[i] == "$", i + tag.count <= s.count, Array(s[i..<(i + tag.count)]) == tag {
                            cur.append(contentsOf: tag)
                            i += tag.count
                            break
                        }
                        cur.append(s[i])
                        i += 1
                    }
                    continue
                }
            }
            if c == ";" {
                flush()
                i += 1
                continue
            }
            cur.append(c)
            i += 1
        }
        flush()
        return out
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let f = scalars.first, f.isWhitespace { scalars.removeFirst() }
        while let l = scalars.last, l.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
