package main

// Word lists for the demo corpus. Real names are mixed with seeded synthetic
// ones (see corpus.go) so that the tokenizer also meets rare words it has to
// split into word pieces.

var firstNames = []string{
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
	"Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Margaret", "Anthony", "Sandra", "Mark", "Ashley",
	"Angela", "Emmanuel", "Olaf", "Giorgia", "Pedro", "Narendra", "Jacinda", "Cyril", "Ursula", "Christine",
	"Jerome", "Satya", "Sundar", "Tim", "Helen", "Ngozi", "Kristalina", "Antonio", "Fumio", "Justin",
	"Luiz", "Olena", "Volodymyr", "Rishi", "Keir", "Mette", "Sanna", "Leo", "Xavier", "Ana",
	"Yuki", "Hiroshi", "Mei", "Wei", "Priya", "Arjun", "Fatima", "Omar", "Amara", "Kwame",
	"Ingrid", "Sven", "Lars", "Sofia", "Mateo", "Lucia", "Hans", "Greta", "Pierre", "Claire",
	"Dmitri", "Anya", "Tomasz", "Agnieszka", "Rafael", "Camila", "Aisha", "Tariq", "Chen", "Min-jun",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen",
	"Merkel", "Scholz", "Meloni", "Sanchez", "Modi", "Ardern", "Ramaphosa", "von der Leyen", "Lagarde", "Powell",
	"Nadella", "Pichai", "Cook", "Okonjo-Iweala", "Georgieva", "Guterres", "Kishida", "Trudeau", "da Silva", "Zelenska",
	"Sunak", "Starmer", "Frederiksen", "Marin", "Varadkar", "Bettel", "Tanaka", "Suzuki", "Wang", "Zhang",
	"Patel", "Sharma", "Khan", "Haddad", "Mensah", "Okafor", "Lindqvist", "Johansson", "Nielsen", "Rossi",
	"Bianchi", "Dubois", "Moreau", "Schneider", "Fischer", "Weber", "Kowalski", "Nowak", "Ivanov", "Petrova",
	"Fernandes", "Oliveira", "Kim", "Park", "Nguyen", "Tran", "Cohen", "Levi", "O'Brien", "McCarthy",
}

var titles = []string{"Mr.", "Ms.", "Dr.", "Prof.", "President", "Senator", "Minister", "Judge", "Chancellor", "Governor"}

// Organisations by kind, so that templates stay plausible.
var companies = []string{
	"Microsoft", "Google", "Apple", "Amazon", "Siemens", "Volkswagen", "Toyota", "Samsung", "Nestle", "Unilever",
	"Shell", "BP", "TotalEnergies", "Airbus", "Boeing", "Goldman Sachs", "JPMorgan Chase", "Deutsche Bank", "HSBC", "Barclays",
	"Pfizer", "Novartis", "Roche", "AstraZeneca", "Bayer", "Tesla", "Ford", "General Motors", "Sony", "Nintendo",
	"Northwind Capital", "Helios Energy", "Blue Harbor Logistics", "Crescent Pharmaceuticals", "Atlas Robotics",
}

var institutions = []string{
	"the United Nations", "the European Union", "the World Bank", "the International Monetary Fund", "the European Central Bank",
	"the Federal Reserve", "the Bank of England", "NATO", "the World Health Organization", "UNICEF",
	"Greenpeace", "Amnesty International", "the Red Cross", "the Ministry of Finance", "the Supreme Court",
	"the European Commission", "the Senate", "the Bundestag", "the OECD", "the African Union",
}

var media = []string{
	"Reuters", "the Associated Press", "the BBC", "The New York Times", "Le Monde", "Der Spiegel", "Al Jazeera",
	"the Financial Times", "Bloomberg", "El Pais",
}

var universities = []string{
	"Harvard University", "the University of Oxford", "Stanford University", "the Sorbonne", "ETH Zurich",
	"the University of Tokyo", "MIT", "the London School of Economics",
}

var clubs = []string{
	"Manchester United", "Real Madrid", "FC Barcelona", "Bayern Munich", "Juventus", "Ajax", "Paris Saint-Germain",
	"Liverpool", "Borussia Dortmund", "Benfica",
}

var orgSuffixes = []string{"Systems", "Holdings", "Group", "Capital", "Labs", "Analytics", "Energy", "Partners", "Foundation", "Institute", "Bank", "Motors", "Airlines", "Media", "Therapeutics"}

var cities = []string{
	"London", "Paris", "Berlin", "Madrid", "Rome", "Lisbon", "Dublin", "Amsterdam", "Brussels", "Vienna",
	"Warsaw", "Prague", "Budapest", "Stockholm", "Oslo", "Copenhagen", "Helsinki", "Athens", "Istanbul", "Kyiv",
	"New York", "Washington", "Chicago", "Los Angeles", "San Francisco", "Boston", "Toronto", "Montreal", "Mexico City", "Sao Paulo",
	"Buenos Aires", "Lima", "Bogota", "Santiago", "Cairo", "Lagos", "Nairobi", "Johannesburg", "Cape Town", "Accra",
	"Dubai", "Riyadh", "Tehran", "Mumbai", "New Delhi", "Bangalore", "Karachi", "Dhaka", "Bangkok", "Jakarta",
	"Singapore", "Kuala Lumpur", "Manila", "Hong Kong", "Shanghai", "Beijing", "Seoul", "Tokyo", "Osaka", "Sydney",
	"Melbourne", "Auckland", "Geneva", "Zurich", "Frankfurt", "Munich", "Hamburg", "Milan", "Barcelona", "Lyon",
	"Davos", "Antwerp", "Strasbourg", "The Hague", "Luxembourg", "Edinburgh", "Manchester", "Glasgow", "Cardiff", "Belfast",
}

var countries = []string{
	"Germany", "France", "Italy", "Spain", "Portugal", "Ireland", "the Netherlands", "Belgium", "Austria", "Poland",
	"Sweden", "Norway", "Denmark", "Finland", "Greece", "Turkey", "Ukraine", "Russia", "the United States", "Canada",
	"Mexico", "Brazil", "Argentina", "Chile", "Colombia", "Peru", "Egypt", "Nigeria", "Kenya", "South Africa",
	"Ghana", "Saudi Arabia", "Iran", "India", "Pakistan", "Bangladesh", "Thailand", "Indonesia", "Malaysia", "the Philippines",
	"China", "Japan", "South Korea", "Australia", "New Zealand", "Switzerland", "the United Kingdom", "Scotland", "Vietnam", "Israel",
}

var regions = []string{
	"Europe", "Asia", "Africa", "Latin America", "the Middle East", "Scandinavia", "the Balkans", "Bavaria", "California", "Texas",
	"Silicon Valley", "the Alps", "the Amazon basin", "the Sahel", "Siberia", "Patagonia", "the Pacific", "the Baltic region", "Catalonia", "Quebec",
}

var nationalities = []string{
	"German", "French", "Italian", "Spanish", "British", "American", "Canadian", "Brazilian", "Japanese", "Chinese",
	"Indian", "Nigerian", "Kenyan", "Swedish", "Dutch", "Polish", "Ukrainian", "Australian", "Mexican", "Korean",
}

var events = []string{
	"the Olympic Games", "the World Cup", "the World Economic Forum", "the G20 summit", "the G7 summit", "Wimbledon",
	"the Tour de France", "the Paris Air Show", "the Frankfurt Book Fair", "the Cannes Film Festival", "the Super Bowl",
	"the UN Climate Change Conference", "COP28", "the Eurovision Song Contest", "the Champions League final", "the Berlin Marathon",
	"the Munich Security Conference", "the Consumer Electronics Show", "the Mobile World Congress", "the Venice Biennale",
	"the European Council summit", "the NATO summit", "the Australian Open", "the Rugby World Cup", "the Nobel Prize ceremony",
}

var products = []string{
	"iPhone", "Windows", "Android", "PlayStation", "Model Y", "Boeing 737 MAX", "Airbus A320neo", "ChatGPT", "Kindle", "Galaxy S24",
	"Golf", "Corolla", "Xbox", "Pixel", "Office 365",
}

var roles = []string{
	"chief executive", "chief economist", "head of research", "managing director", "president", "chairman", "founder",
	"senior analyst", "director", "chief financial officer", "general counsel", "head of strategy",
}

var politicalRoles = []string{
	"finance minister", "foreign minister", "prime minister", "health minister", "ambassador", "central bank governor",
	"government spokesperson", "interior minister", "trade commissioner", "deputy prime minister",
}

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

var currencies = []string{"dollars", "euros", "pounds", "yen", "Swiss francs", "rupees", "yuan"}

var currencyCodes = []string{"USD", "EUR", "GBP", "JPY", "CHF"}

var topics = []string{
	"inflation", "interest rates", "climate policy", "energy prices", "artificial intelligence", "supply chains", "public health",
	"housing", "trade tariffs", "renewable energy", "cybersecurity", "unemployment", "migration", "food security", "semiconductors",
	"tourism", "pension reform", "digital regulation", "wildfires", "flooding", "vaccine distribution", "electric vehicles",
}

var syllablesStart = []string{"Ka", "Zel", "Mor", "Thal", "Vor", "Bri", "Quen", "Lu", "Dra", "Ser", "Os", "Fen", "Gar", "Hel", "Ix", "Jor", "Nav", "Pel", "Rho", "Tav", "Ul", "Wes", "Yar", "Cor", "El"}

var syllablesMid = []string{"an", "ver", "ri", "do", "sel", "ta", "mon", "qui", "len", "bar", "or", "is", "ne", "vik", "ra", "lo", "the", "gu", "pe", "zo"}

var syllablesEnd = []string{"a", "ix", "on", "ova", "ent", "ara", "ius", "eth", "ski", "son", "elli", "ard", "ine", "us", "ow", "ek", "and", "ia", "ero", "ton"}

// Sentence templates. Slots: {PER} {ORG} (any organisation) {CO} {INST}
// {MEDIA} {UNI} {CLUB} {CITY} {COUNTRY} {REGION} {NAT} {EVENT} {PRODUCT}
// {ROLE} {POL} {DATE} {DAY} {YEAR} {MONTH} {MONEY} {NUM} {PCT} {TOPIC}.
var templates = []string{
	"{PER}, the {ROLE} of {CO}, said on {DAY} that the company would open a new office in {CITY}.",
	"{CO} reported a net profit of {MONEY} for the quarter ending in {MONTH}, beating analyst expectations.",
	"Speaking in {CITY} on {DATE}, {PER} warned that {TOPIC} remained the biggest risk for {COUNTRY}.",
	"{PER} will travel to {CITY} next week to meet officials from {INST} ahead of {EVENT}.",
	"Shares of {CO} rose {PCT} in early trading in {CITY} after the group announced a {MONEY} takeover of {CO}.",
	"The {NAT} government has appointed {PER} as its new {POL}, a spokesperson for {INST} confirmed on {DAY}.",
	"{CO} and {CO} signed an agreement in {CITY} on {DATE} to cooperate on {TOPIC}.",
	"Police in {CITY} said {NUM} people were injured when a bus crashed near the border with {COUNTRY} on {DAY}.",
	"{PER} won the gold medal at {EVENT} in {CITY}, the first for {COUNTRY} since {YEAR}.",
	"According to {INST}, the economy of {COUNTRY} grew by {PCT} in {YEAR}, driven by exports to {REGION}.",
	"{PER} told {MEDIA} that negotiations with {COUNTRY} over {TOPIC} could take until {MONTH} {YEAR}.",
	"The {NAT} company {CO} plans to invest {MONEY} in a battery plant in {REGION} by {YEAR}.",
	"{INST} fined {CO} {MONEY} on {DATE} for breaching rules on {TOPIC}.",
	"Thousands of people marched through {CITY} on {DAY} to protest against rising {TOPIC} costs.",
	"{PER} and {PER} are expected to discuss {TOPIC} when they meet at {EVENT} in {CITY}.",
	"In an interview with {MEDIA}, {PER} said the launch of the new {PRODUCT} had been delayed until {MONTH}.",
	"The {ROLE} of {CO}, {PER}, resigned on {DATE} after an investigation into accounting errors.",
	"Flights between {CITY} and {CITY} were cancelled on {DAY} because of a strike by air traffic controllers.",
	"{CO} said it would cut {NUM} jobs in {COUNTRY} and move part of its production to {COUNTRY}.",
	"Born in {CITY} in {YEAR}, {PER} studied economics at {UNI} before joining {CO}.",
	"{COUNTRY} and {COUNTRY} agreed on {DATE} to reopen their embassies, {MEDIA} reported.",
	"The central bank of {COUNTRY} raised its key interest rate to {PCT} on {DAY}, its {NUM}th increase in a row.",
	"{PER} scored twice as {CLUB} beat {CLUB} 3-1 in {CITY} on {DAY} evening.",
	"A report published by {INST} on {DATE} estimates that {TOPIC} will cost {REGION} {MONEY} a year.",
	"The {NAT} startup {CO} raised {MONEY} from investors led by {CO}.",
	"{PER}, who has led {CO} since {YEAR}, will step down at the end of {MONTH}.",
	"Heavy rain caused flooding in {REGION} on {DAY}, and officials in {CITY} closed schools for {NUM} days.",
	"The trial of {PER} began in {CITY} on {DATE}, with prosecutors accusing the former {ROLE} of fraud.",
	"{CITY} will host {EVENT} in {YEAR}, organisers announced on {DAY}.",
	"Visitors to {CITY} spent a record {MONEY} in {YEAR}, according to figures from {INST}.",
	"{PER} met {PER} in {CITY} to sign a trade deal worth {MONEY}.",
	"On {DATE}, {CO} opened its largest data centre in {REGION}, near {CITY}.",
	"The {PRODUCT} sold more than {NUM} million units in {COUNTRY} in its first month, {CO} said.",
	"{PER} was named {ROLE} of {CO} on {DAY}, replacing {PER}.",
	"{INST} lowered its growth forecast for {COUNTRY} to {PCT}, citing weak demand in {REGION}.",
	"Rescue teams from {COUNTRY} arrived in {CITY} on {DAY} after an earthquake struck the region.",
	"A spokesperson for {ORG} in {CITY} declined to comment on the report.",
	"{PER} thanked fans in {CITY} after winning {EVENT} for the {NUM}th time.",
	"Exports from {COUNTRY} to {COUNTRY} fell by {PCT} in {MONTH}, data from {INST} showed.",
	"{CO} agreed to pay {MONEY} to settle a lawsuit brought by {CO} in {CITY}.",
	"The museum in {CITY} will show works by {PER} from {MONTH} until {DATE}.",
	"Tickets for {EVENT} in {CITY} sold out within {NUM} minutes.",
	"{PER} said {CO} had no plans to leave {COUNTRY} despite new rules on {TOPIC}.",
	"Ministers from {NUM} countries gathered in {CITY} on {DAY} for talks on {TOPIC}.",
	"Last {DAY}, {PER}, the {POL} of {COUNTRY}, announced a {MONEY} plan to modernise railways between {CITY} and {CITY}.",
	"{PER}, a professor at {UNI}, said {NAT} households were spending more on {TOPIC} than a decade ago.",
	"The {NAT} {POL}, {PER}, arrived in {CITY} on {DATE} for a two-day visit.",
	"{MEDIA} reported on {DAY} that {CO} was in talks to buy a stake in {CO} for about {MONEY}.",
}

// clauses lengthen a sentence; each is appended before its final period.
var clauses = []string{
	"according to a statement released by {ORG}",
	"despite concerns raised by analysts in {CITY}",
	"in a deal valued at {MONEY}",
	"which was first reported by {MEDIA}",
	"two days after {PER} visited {CITY}",
	"as talks on {TOPIC} continued in {CITY}",
	"a move welcomed by {PER}, the {POL} of {COUNTRY}",
	"although critics in {COUNTRY} said the measures did not go far enough",
	"ahead of {EVENT} in {YEAR}",
	"while officials from {INST} monitored the situation",
	"following a meeting with representatives of {ORG} on {DAY}",
	"in line with the targets agreed in {CITY} in {YEAR}",
	"and more than {NUM} employees in {REGION} will be affected",
	"a decision that could cost {CO} up to {MONEY}",
	"as prices linked to {TOPIC} climbed {PCT} since {MONTH}",
}

var headlines = []string{
	"Annual review of {TOPIC} in {REGION}",
	"{CO} in {YEAR}: a company report",
	"Special report: {EVENT} and the economy of {COUNTRY}",
	"Briefing: {TOPIC} and the outlook for {COUNTRY}",
	"Chronicle of {YEAR} in {CITY}",
}
