"""Common first names, surnames, nicknames and street words for the synthetic borough.

Names alone identify nobody: these are lists of names common in England and Wales,
kept here (not taken from a faker package) so that the same seed gives the same
borough whatever package versions are installed. Earlier entries are drawn more
often, roughly as name frequencies fall off in real registers.
"""

from __future__ import annotations

# fmt: off
GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella", "Lily",
    "Evie", "Isabella", "Sophie", "Ivy", "Freya", "Harper", "Willow", "Charlotte", "Jessica",
    "Florence", "Daisy", "Rosie", "Alice", "Sienna", "Phoebe", "Matilda", "Ruby", "Evelyn",
    "Millie", "Elsie", "Scarlett", "Isabelle", "Erin", "Chloe", "Maya", "Lucy", "Emma", "Hannah",
    "Holly", "Eva", "Layla", "Aria", "Esme", "Ellie", "Maisie", "Lola", "Imogen", "Amber", "Megan",
    "Lacey", "Summer", "Bella", "Abigail", "Zara", "Aisha", "Maryam", "Fatima", "Amira", "Hafsa",
    "Zainab", "Inaya", "Aaliyah", "Anaya", "Leah", "Niamh", "Caitlin", "Bethany", "Georgia",
    "Paige", "Courtney", "Kayleigh", "Chelsea", "Shannon", "Jade", "Rebecca", "Lauren", "Katie",
    "Samantha", "Victoria", "Elizabeth", "Katherine", "Alexandra", "Gabriella", "Jennifer",
    "Madison", "Nevaeh", "Hollie", "Aimee", "Demi", "Tia", "Skye", "Kiera", "Tegan", "Libby",
    "Mollie", "Darcey", "Harriet", "Eliza", "Beatrice", "Hallie", "Thea", "Orla", "Zoe", "Nia",
    "Amara", "Zuzanna", "Julia", "Maja", "Oliwia", "Hanna", "Precious", "Blessing",
)
# fmt: on

# fmt: off
BOYS = (
    "Oliver", "George", "Noah", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Henry",
    "Theodore", "Freddie", "Jack", "Charlie", "Theo", "Alfie", "Jacob", "Thomas", "Finley", "Arlo",
    "William", "Lucas", "Roman", "Tommy", "Isaac", "Teddy", "Edward", "Adam", "Joshua", "Samuel",
    "Joseph", "James", "Daniel", "Benjamin", "Alexander", "Mason", "Max", "Ethan", "Logan", "Dylan",
    "Reuben", "Riley", "Harrison", "Jaxon", "Louie", "Toby", "Elijah", "Albert", "Hugo",
    "Frederick", "Zachary", "Liam", "Callum", "Connor", "Kyle", "Bradley", "Jordan", "Lewis",
    "Ryan", "Jake", "Luke", "Nathan", "Cameron", "Tyler", "Kieran", "Aaron", "Matthew",
    "Christopher", "Jonathan", "Nicholas", "Michael", "Anthony", "Robert", "David", "Owen", "Rhys",
    "Ibrahim", "Yusuf", "Ali", "Omar", "Hamza", "Ayaan", "Zayn", "Rayyan", "Aryan", "Musa", "Idris",
    "Kacper", "Jakub", "Szymon", "Filip", "Olamide", "Tobi", "Kwame", "Jayden", "Tyrese", "Kai",
    "Ronnie", "Stanley", "Bobby", "Jenson", "Brody", "Ellis", "Ezra", "Jude", "Rory", "Sebastian",
    "Felix", "Caleb", "Harvey", "Kian", "Corey", "Mohammed",
)
# fmt: on

# fmt: off
WOMEN = (
    "Sarah", "Emma", "Laura", "Rebecca", "Gemma", "Claire", "Nicola", "Lisa", "Kelly", "Hayley",
    "Amy", "Stacey", "Danielle", "Michelle", "Joanne", "Victoria", "Rachel", "Jennifer", "Samantha",
    "Charlotte", "Kirsty", "Natalie", "Leanne", "Louise", "Katie", "Jade", "Donna", "Kerry", "Zoe",
    "Lucy", "Helen", "Catherine", "Amanda", "Tracey", "Dawn", "Sharon", "Karen", "Julie", "Nadia",
    "Shazia", "Saima", "Farah", "Yasmin", "Ruksana", "Agnieszka", "Katarzyna", "Monika", "Chioma",
    "Abimbola", "Grace", "Shanice", "Tanya", "Carly",
)
# fmt: on

# fmt: off
MEN = (
    "David", "Paul", "Mark", "Andrew", "James", "Richard", "Daniel", "Christopher", "Michael",
    "Matthew", "Stephen", "Lee", "Craig", "Darren", "Wayne", "Jason", "Gary", "Simon", "Robert",
    "Thomas", "Adam", "Ben", "Carl", "Dean", "Scott", "Ryan", "Liam", "Jamie", "Shaun", "Anthony",
    "Kevin", "Neil", "Stuart", "Martin", "Peter", "Imran", "Tariq", "Asif", "Kamran", "Wasim",
    "Piotr", "Tomasz", "Marcin", "Emeka", "Kofi", "Darnell", "Marcus", "Leon", "Aaron", "Jonathan",
    "Nathan", "Gavin", "Ashley", "Kieran", "Jordan",
)
# fmt: on

# fmt: off
MIDDLE_GIRLS = (
    "Rose", "Grace", "May", "Louise", "Jane", "Elizabeth", "Marie", "Anne", "Lily", "Mae", "Hope",
    "Faith", "Jade", "Amelia",
)
# fmt: on
# fmt: off
MIDDLE_BOYS = (
    "James", "John", "Thomas", "William", "Lee", "Michael", "David", "Edward", "Alexander",
    "Robert", "Jack", "George",
)
# fmt: on

# fmt: off
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin",
    "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison",
    "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price",
    "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey",
    "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall",
    "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman",
    "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews",
    "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker",
    "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Graham", "Pearson", "Ahmed",
    "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Elliott", "Reynolds",
    "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence", "Cole",
    "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien", "Watts",
    "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes",
    "Hart", "Hudson", "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page",
    "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland", "Hawkins",
    "Harding", "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird",
    "Gardner", "Shah", "Dean", "Lane", "Cunningham", "Warren", "Nicholson", "Gordon", "Burgess",
    "Iqbal", "Mahmood", "Akhtar", "Rahman", "Hassan", "Mohamed", "Chowdhury", "Miah", "Uddin",
    "Islam", "Nowak", "Kowalski", "Wisniewski", "Lewandowski", "Okafor", "Mensah", "Adeyemi",
    "Okonkwo", "Boateng", "Osei", "Campbell-Brown", "Nguyen", "Chen", "Wong", "Silva", "Santos",
    "Pereira", "Costa", "Ferreira", "Rossi", "Novak", "Popescu", "Dimitrov", "Horvath", "O'Connor",
    "McDonald", "MacLeod", "Doherty", "Quinn", "Byrne", "Gallagher", "Brennan", "Whitehouse",
    "Ashworth", "Greenwood", "Sutcliffe", "Hargreaves", "Hebden", "Ackroyd", "Bentley", "Crowther",
    "Haigh", "Lister", "Priestley", "Scholes", "Wadsworth", "Dyson", "Pickering",
)
# fmt: on

# Formal name -> what children are often called, or a common alternative spelling.
# The matching app's nickname table must know these; the generator uses them as noise.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"),
    "Robert": ("Rob", "Bobby"),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Kayleigh": ("Kaylee", "Kayley"),
    "Katherine": ("Kate", "Katie", "Kathryn"),
    "Alexander": ("Alex", "Xander"),
    "Alexandra": ("Alex", "Lexi"),
    "Benjamin": ("Ben", "Benji"),
    "Daniel": ("Dan", "Danny"),
    "Thomas": ("Tom", "Tommy"),
    "James": ("Jim", "Jamie"),
    "Joseph": ("Joe", "Joey"),
    "Samuel": ("Sam", "Sammy"),
    "Samantha": ("Sam", "Sammie"),
    "Matthew": ("Matt",),
    "Christopher": ("Chris",),
    "Jonathan": ("Jon", "Jonny"),
    "Nicholas": ("Nick", "Nicky"),
    "Michael": ("Mike", "Mikey"),
    "Anthony": ("Tony", "Ant"),
    "Jacob": ("Jake",),
    "Oliver": ("Ollie", "Olly"),
    "Charlotte": ("Charlie", "Lottie"),
    "Olivia": ("Liv", "Livvy"),
    "Isabella": ("Bella", "Izzy"),
    "Isabelle": ("Izzy", "Isabel"),
    "Jessica": ("Jess", "Jessie"),
    "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Vicky", "Tori"),
    "Abigail": ("Abbie", "Abby"),
    "Amelia": ("Millie", "Amy"),
    "Gabriella": ("Gabby", "Ella"),
    "Jennifer": ("Jenny", "Jen"),
    "Frederick": ("Freddie", "Fred"),
    "Edward": ("Eddie", "Ted"),
    "Theodore": ("Theo", "Teddy"),
    "Zachary": ("Zach", "Zak"),
    "Joshua": ("Josh",),
    "Harrison": ("Harry",),
    "Mohammed": ("Muhammad", "Mohammad", "Mo"),
    "Muhammad": ("Mohammed", "Mohammad", "Mo"),
    "Aaliyah": ("Aliyah", "Aliya"),
    "Sophie": ("Sophia", "Sofia"),
    "Zainab": ("Zaynab",),
    "Eleanor": ("Ellie", "Nell"),
    "Stanley": ("Stan",),
    "Callum": ("Calum",),
    "Leah": ("Lea",),
    "Jakub": ("Kuba", "Jacob"),
}

# fmt: off
DISTRICTS = (
    "Wrenford Central", "Eastholme", "Cinder Bank", "Mardle Green", "Saltings", "Upper Wrenford",
    "Hollins Moor", "Brackley Vale",
)
# fmt: on

# fmt: off
STREET_WORDS = (
    "Alder", "Ash", "Beech", "Birch", "Bramble", "Briar", "Brook", "Canal", "Castle", "Cedar",
    "Chapel", "Cherry", "Church", "Clover", "Coronation", "Cross", "Dale", "Elm", "Fern", "Field",
    "Forge", "Fox", "Garden", "Glebe", "Grange", "Hawthorn", "Hazel", "Heath", "Heron", "Highfield",
    "Hill", "Holly", "Ivy", "Juniper", "Kestrel", "Kings", "Lark", "Laurel", "Lime", "Linden",
    "Lock", "Maple", "Marsh", "Meadow", "Mill", "Moor", "Oak", "Orchard", "Park", "Pine", "Poplar",
    "Priory", "Queens", "Quarry", "Railway", "Rowan", "School", "Spring", "Station", "Sycamore",
    "Tannery", "Thistle", "Tower", "Union", "Victoria", "Wharf", "Willow", "Windmill", "Woodland",
    "Yew", "Abbey", "Acorn", "Albion", "Barley", "Baron", "Bell", "Bridge", "Chestnut", "Cobden",
    "Colliery", "Copper", "Elder", "Foundry", "Gorse", "Harbour", "Heather", "Jubilee", "Kiln",
    "Larch", "Mulberry", "Nelson", "Osier", "Pennine", "Reed", "Ropewalk", "Sedge", "Tanner",
    "Weaver",
)
# fmt: on

# fmt: off
STREET_KINDS = (
    "Road", "Street", "Lane", "Close", "Avenue", "Way", "Drive", "Crescent", "Grove", "Gardens",
    "Terrace", "Walk", "Place", "Court", "Rise",
)
# fmt: on

# fmt: off
TAKEAWAY_NAMES = (
    "Golden Dragon", "Chicken Express", "Pizza Palace", "Kebab House", "Fish Bar", "Curry Corner",
    "Burger Shack", "Noodle Bar", "Grill House", "Peri Peri Hut", "Wok Inn", "Sub Stop",
)
# fmt: on
# fmt: off
HOTEL_NAMES = (
    "Station Hotel", "Riverside Lodge", "Travellers Inn", "Park View Hotel", "Canal Side Rooms",
)
# fmt: on
# fmt: off
PARK_NAMES = (
    "Park", "Recreation Ground", "Playing Fields", "Common", "Gardens",
)
# fmt: on
# fmt: off
VEHICLE_DESCRIPTIONS = (
    "silver hatchback", "black saloon", "white van", "grey estate", "blue hatchback", "black SUV",
    "red hatchback", "white saloon", "dark grey SUV", "silver people carrier",
)
# fmt: on
