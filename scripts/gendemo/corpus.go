package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Corpus sizes. Every text is generated from templates with a seeded PCG, so
// the corpus is the same on every run.
const (
	corpusSeed     = 20240611
	numSentences   = 440 // single sentences, 8–60 words
	numParagraphs  = 100 // 2–6 sentences
	numLongDocs    = 20  // reports well over 512 tokens
	longDocMinWord = 460
)

type corpusGen struct {
	r *rand.Rand
}

func newCorpusGen(seed uint64) *corpusGen {
	return &corpusGen{r: rand.New(rand.NewPCG(seed, 0x6e657262656e6368))}
}

func (c *corpusGen) pick(list []string) string { return list[c.r.IntN(len(list))] }

// syntheticName makes a rare, pronounceable word ("Zelverix").
func (c *corpusGen) syntheticName() string {
	s := c.pick(syllablesStart)
	for range c.r.IntN(2) + 1 {
		s += c.pick(syllablesMid)
	}
	return s + c.pick(syllablesEnd)
}

func (c *corpusGen) person() string {
	last := c.pick(lastNames)
	if c.r.IntN(5) == 0 {
		last = c.syntheticName()
	}
	switch c.r.IntN(6) {
	case 0:
		return c.pick(titles) + " " + last
	default:
		return c.pick(firstNames) + " " + last
	}
}

func (c *corpusGen) company() string {
	if c.r.IntN(4) == 0 {
		return c.syntheticName() + " " + c.pick(orgSuffixes)
	}
	return c.pick(companies)
}

// org is an organisation of any kind.
func (c *corpusGen) org() string {
	switch c.r.IntN(6) {
	case 0, 1:
		return c.company()
	case 2, 3:
		return c.pick(institutions)
	case 4:
		return c.pick(media)
	default:
		return c.pick(universities)
	}
}

func (c *corpusGen) date() string {
	d := c.r.IntN(28) + 1
	m := c.pick(months)
	y := 1995 + c.r.IntN(31)
	switch c.r.IntN(4) {
	case 0:
		return fmt.Sprintf("%d %s %d", d, m, y)
	case 1:
		return fmt.Sprintf("%s %d, %d", m, d, y)
	case 2:
		return fmt.Sprintf("%s %d", m, d)
	default:
		return fmt.Sprintf("%s, %s %d", c.pick(weekdays), m, d)
	}
}

func (c *corpusGen) money() string {
	switch c.r.IntN(4) {
	case 0:
		return fmt.Sprintf("$%d.%d million", c.r.IntN(900)+1, c.r.IntN(10))
	case 1:
		return fmt.Sprintf("%d billion %s", c.r.IntN(90)+1, c.pick(currencies))
	case 2:
		return fmt.Sprintf("%s %d,%03d", c.pick(currencyCodes), c.r.IntN(900)+10, c.r.IntN(1000))
	default:
		return fmt.Sprintf("$%d billion", c.r.IntN(200)+1)
	}
}

func (c *corpusGen) slot(name string) string {
	switch name {
	case "PER":
		return c.person()
	case "ORG":
		return c.org()
	case "CO":
		return c.company()
	case "INST":
		return c.pick(institutions)
	case "MEDIA":
		return c.pick(media)
	case "UNI":
		return c.pick(universities)
	case "CLUB":
		return c.pick(clubs)
	case "POL":
		return c.pick(politicalRoles)
	case "CITY":
		return c.pick(cities)
	case "COUNTRY":
		return c.pick(countries)
	case "REGION":
		return c.pick(regions)
	case "NAT":
		return c.pick(nationalities)
	case "EVENT":
		return c.pick(events)
	case "PRODUCT":
		return c.pick(products)
	case "ROLE":
		return c.pick(roles)
	case "DATE":
		return c.date()
	case "DAY":
		return c.pick(weekdays)
	case "YEAR":
		return fmt.Sprint(1990 + c.r.IntN(36))
	case "MONTH":
		return c.pick(months)
	case "MONEY":
		return c.money()
	case "NUM":
		return fmt.Sprint(c.r.IntN(48) + 2)
	case "PCT":
		return fmt.Sprintf("%d.%d%%", c.r.IntN(12), c.r.IntN(10))
	case "TOPIC":
		return c.pick(topics)
	}
	panic("gendemo: unknown template slot {" + name + "}")
}

// expand fills every {SLOT} of t.
func (c *corpusGen) expand(t string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			break
		}
		j := strings.IndexByte(t[i:], '}')
		b.WriteString(t[:i])
		b.WriteString(c.slot(t[i+1 : i+j]))
		t = t[i+j+1:]
	}
	s := b.String()
	// Capitalise a leading "the" from a slot ("the BBC said …").
	if strings.HasPrefix(s, "the ") {
		s = "The " + s[4:]
	}
	return s
}

// sentence returns one sentence with up to extra clauses appended.
func (c *corpusGen) sentence(extra int) string {
	s := c.expand(c.pick(templates))
	for range extra {
		s = strings.TrimSuffix(s, ".") + ", " + c.expand(c.pick(clauses)) + "."
	}
	return s
}

func wordCount(s string) int { return len(strings.Fields(s)) }

// shortText returns a sentence of 8–60 words, mostly 12–35.
func (c *corpusGen) shortText() string {
	for {
		extra := 0
		switch x := c.r.IntN(10); {
		case x < 5:
		case x < 8:
			extra = 1
		case x < 9:
			extra = 2
		default:
			extra = 3
		}
		s := c.sentence(extra)
		if n := wordCount(s); n >= 8 && n <= 60 {
			return s
		}
	}
}

func (c *corpusGen) paragraph() string {
	n := 2 + c.r.IntN(5)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = c.sentence(c.r.IntN(2))
	}
	return strings.Join(parts, " ")
}

// longDoc returns a multi-paragraph report of at least minWords words.
func (c *corpusGen) longDoc(minWords int) string {
	var paras []string
	words := 0
	head := c.expand(c.pick(headlines))
	paras = append(paras, head)
	words += wordCount(head)
	for words < minWords {
		p := c.paragraph()
		paras = append(paras, p)
		words += wordCount(p)
	}
	return strings.Join(paras, "\n\n")
}

// generateCorpus returns the demo test texts: short sentences, paragraphs
// and long documents, shuffled together (seeded).
func generateCorpus() []string {
	c := newCorpusGen(corpusSeed)
	var texts []string
	for range numSentences {
		texts = append(texts, c.shortText())
	}
	for range numParagraphs {
		texts = append(texts, c.paragraph())
	}
	for range numLongDocs {
		texts = append(texts, c.longDoc(longDocMinWord+c.r.IntN(300)))
	}
	c.r.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	return texts
}
