"""The course's own data, in the format of Anthropic's hh-rlhf, and the reference model's SFT data.

Each preference row is {"chosen": str, "rejected": str}; each side is a dialogue of turns that start
with "\\n\\nHuman: " or "\\n\\nAssistant: ". The chosen side gives a short, correct answer; the rejected
side asks the same question(s) and gets a vague or off-topic reply.

The tiny reference model is instruction-tuned first, on the same questions with answers that open in
several natural ways (`sft_conversations()`): like the textbook's SFT model, it has a style of its own
before DPO changes it.

Everything is built from the tables below with a fixed seed, so the data is the same on every machine
and every call, and needs no network. `heldout_questions()` asks about the same topics in
(topic, phrasing) combinations that training never uses, to test whether a model answers from the
topic rather than by rote.
"""

import random

from rlhf_lab.pairs import EXPLAIN_PREFIX

SEED = 20240601

# Openers of the SFT answers, with sampling weights. "Let me explain. " is one of the rarer ones on
# purpose: DPO can only re-weight behaviour that the SFT model already shows now and then.
SFT_OPENERS = (
    ("", 0.45),
    ("Sure. ", 0.20),
    ("In short, ", 0.15),
    ("Good question. ", 0.10),
    (EXPLAIN_PREFIX, 0.10),
)
SFT_COPIES = 6  # SFT answers per training question, each behind an opener drawn afresh

ALREADY_EXPLAINING_SHARE = 0.05  # chosen answers that already open with EXPLAIN_PREFIX: the pair filter's work
MULTI_TURN_SHARE = 0.10  # extra multi-turn rows per single-turn row (hh-rlhf is mostly multi-turn)
THREE_TURN_SHARE = 1 / 3  # of the multi-turn rows
OFF_TOPIC_SHARE = 0.30  # of rejected answers; the rest are vague

# (area, kind, subject, answer). kind "what" is a concept asked as "What is {subject}?", kind "how"
# is a task asked as "How do I {subject}?".
TOPICS = (
    # Programming and computing
    ("computing", "what", "Python",
     "Python is a programming language that is easy to read and is used for web sites, data analysis, "
     "automation and machine learning."),
    ("computing", "what", "Linux",
     "Linux is a free, open-source operating system kernel."),
    ("computing", "what", "a compiler",
     "A compiler is a program that translates source code written by a person into machine code or "
     "another lower-level form that a computer can run."),
    ("computing", "what", "Git",
     "Git is a version control system that records changes to files over time, so you can return to "
     "older versions and work with others on the same code."),
    ("computing", "what", "HTTP",
     "HTTP is the protocol that web browsers and servers use to exchange pages and data."),
    ("computing", "what", "a database",
     "A database is an organized collection of data that software can store, search and update "
     "quickly, often using a language called SQL."),
    ("computing", "what", "RAM",
     "RAM is the short-term memory of a computer."),
    ("computing", "what", "open-source software",
     "Open-source software is software whose source code is public, so anyone can read it, change it "
     "and share it under the terms of its license."),
    ("computing", "what", "an algorithm",
     "An algorithm is a precise list of steps for solving a problem or doing a task, like a recipe "
     "that a computer can follow."),
    ("computing", "what", "the internet",
     "The internet is a global network of computers that exchange data using shared protocols."),
    ("computing", "what", "a firewall",
     "A firewall is a security system that watches network traffic and blocks connections that break "
     "its rules, which helps keep attackers out."),
    ("computing", "what", "binary",
     "Binary is a number system that uses only the digits 0 and 1."),
    ("computing", "what", "unit testing",
     "Unit testing means writing small automated tests that check single functions or classes on their"
     " own, so bugs are found early."),
    ("computing", "what", "a GPU",
     "A GPU is a processor built to do many simple calculations at once."),
    ("computing", "what", "Wi-Fi",
     "Wi-Fi is a wireless technology that connects devices to a local network and the internet using "
     "radio waves, usually through a router."),
    ("computing", "what", "a spreadsheet",
     "A spreadsheet is a program, such as Excel, that organizes data in rows and columns and can "
     "calculate totals, averages and charts with formulas."),
    ("computing", "how", "create a strong password",
     "Use a long passphrase of several random words, or at least 12 mixed characters, and never reuse "
     "it."),
    ("computing", "how", "back up my files",
     "Keep copies of important files on an external drive and in a cloud service."),
    ("computing", "how", "read a CSV file in Python",
     "Use the csv module: open the file with open() and pass it to csv.reader, or call pandas.read_csv"
     " if you have pandas installed."),
    ("computing", "how", "protect my computer from viruses",
     "Keep your system and apps updated, use the built-in antivirus protection, avoid unknown "
     "downloads and email attachments, and back up your files."),
    ("computing", "how", "debug my code",
     "Read the error message carefully, reproduce the problem with a small example, and print values "
     "or use a debugger to see where the program goes wrong."),
    ("machine learning", "what", "artificial intelligence",
     "Artificial intelligence is the field of building computer systems that do tasks that normally "
     "need human intelligence, such as understanding language or recognizing images."),
    ("machine learning", "what", "overfitting",
     "Overfitting happens when a model learns its training data too closely, including the noise, so "
     "it does well on that data but poorly on new data."),
    ("machine learning", "what", "a large language model",
     "A large language model is a neural network trained on a huge amount of text to predict the next "
     "word."),
    ("machine learning", "what", "supervised learning",
     "Supervised learning is training a model on examples that come with the correct answers, such as "
     "emails labeled as spam or not spam."),
    ("machine learning", "what", "a training set",
     "A training set is the data a model learns from."),
    ("machine learning", "what", "tokenization",
     "Tokenization is splitting text into small pieces called tokens, such as words or parts of words,"
     " so that a language model can process it."),
    ("machine learning", "what", "an embedding",
     "An embedding is a list of numbers that represents something like a word or an image, arranged so"
     " that similar things get similar numbers."),
    ("machine learning", "what", "RLHF",
     "RLHF, or reinforcement learning from human feedback, trains a language model with human "
     "judgments of which answers are better, so it becomes more helpful."),
    ("machine learning", "how", "prevent overfitting",
     "Use more training data, simplify the model, add regularization such as dropout or weight decay, "
     "and stop training when the validation loss stops improving."),
    ("machine learning", "how", "evaluate a classification model",
     "Test it on held-out data and look at accuracy, plus precision, recall and a confusion matrix, "
     "especially when some classes are much rarer than others."),
    # Science
    ("science", "what", "photosynthesis",
     "Photosynthesis is the process plants use to turn sunlight, water and carbon dioxide into sugar "
     "for energy, releasing oxygen as a by-product."),
    ("science", "what", "DNA",
     "DNA is the molecule that carries the genetic instructions of living things."),
    ("science", "what", "an atom",
     "An atom is the smallest unit of a chemical element."),
    ("science", "what", "climate change",
     "Climate change is the long-term shift in Earth's temperatures and weather."),
    ("science", "what", "a chemical reaction",
     "A chemical reaction is a process in which substances change into new substances, for example "
     "when iron rusts or wood burns."),
    ("science", "what", "the speed of light",
     "The speed of light in a vacuum is about 300,000 kilometers per second."),
    ("science", "what", "a virus",
     "A virus is a tiny infectious agent that can only multiply inside the cells of a living host."),
    ("science", "what", "plate tectonics",
     "Plate tectonics is the theory that Earth's outer shell is split into large plates that slowly "
     "move."),
    ("science", "what", "energy",
     "Energy is the ability to do work or cause change."),
    ("science", "what", "a living cell",
     "A cell is the smallest living unit of an organism."),
    ("science", "what", "a solar panel",
     "A solar panel turns sunlight directly into electricity using cells usually made of silicon."),
    ("science", "how", "see the Milky Way",
     "Go somewhere far from city lights on a clear night without a bright moon, and give your eyes "
     "about 20 minutes to adjust to the dark."),
    # Mathematics
    ("math", "what", "a prime number",
     "A prime number is a whole number greater than 1 that can only be divided evenly by 1 and by "
     "itself, such as 2, 3, 5, 7 and 11."),
    ("math", "what", "the mean of a set of numbers",
     "The mean is the average: add all the numbers up and divide by how many there are."),
    ("math", "how", "calculate a percentage",
     "Divide the part by the whole and multiply by 100."),
    # Health
    ("health", "what", "a vaccine",
     "A vaccine trains the immune system to recognize a germ, using a harmless piece or weakened form "
     "of it, so the body can fight the real infection faster."),
    ("health", "what", "cholesterol",
     "Cholesterol is a fatty substance in the blood that the body needs to build cells."),
    ("health", "what", "blood pressure",
     "Blood pressure is the force of blood pushing against the walls of your arteries."),
    ("health", "what", "dehydration",
     "Dehydration happens when your body loses more water than it takes in."),
    ("health", "what", "an allergy",
     "An allergy is when the immune system overreacts to something harmless, such as pollen or "
     "peanuts, causing sneezing, itching or swelling."),
    ("health", "what", "an antibiotic",
     "An antibiotic is a medicine that kills bacteria or stops them from growing."),
    ("health", "how", "fall asleep faster",
     "Keep a regular sleep schedule, avoid caffeine in the afternoon, put screens away an hour before "
     "bed and keep your bedroom cool, dark and quiet."),
    ("health", "how", "reduce stress",
     "Regular exercise, enough sleep, short breaks and talking to people you trust all help."),
    # Cooking
    ("cooking", "what", "fermentation",
     "Fermentation is a process in which microbes such as yeast and bacteria break down sugars."),
    ("cooking", "what", "gluten",
     "Gluten is a group of proteins found in wheat, barley and rye."),
    ("cooking", "how", "boil an egg",
     "Lower the egg into boiling water and cook it for about 6 minutes for a soft yolk or 10 minutes "
     "for a hard one, then cool it in cold water."),
    ("cooking", "how", "make a cup of tea",
     "Pour freshly boiled water over a tea bag or loose tea and let it steep for three to five "
     "minutes."),
    ("cooking", "how", "sharpen a kitchen knife",
     "Use a whetstone or a knife sharpener, drawing the blade across it at the same angle, about 15 to"
     " 20 degrees, several times on each side."),
    ("cooking", "how", "bake bread",
     "Mix flour, water, yeast and salt into a dough, knead it until smooth and let it rise until "
     "doubled."),
    ("cooking", "how", "make a simple salad dressing",
     "Whisk three parts olive oil with one part vinegar or lemon juice, then add salt, pepper and a "
     "little mustard or honey."),
    ("cooking", "how", "chop an onion",
     "Cut the onion in half through the root, peel it, make lengthwise cuts, then slice across them."),
    # Travel
    ("travel", "what", "travel insurance",
     "Travel insurance covers unexpected costs during a trip, such as medical care abroad, cancelled "
     "flights or lost luggage."),
    ("travel", "how", "pack light for a trip",
     "Make a list, choose clothes that mix and match, and plan to wash items during the trip."),
    ("travel", "how", "find cheap flights",
     "Compare prices on several search sites, be flexible with dates and airports, book a few weeks "
     "ahead and set price alerts for your route."),
    ("travel", "how", "stay safe while traveling",
     "Keep copies of your documents, watch your belongings in crowded places, use licensed taxis, and "
     "let someone at home know your plans."),
    # Money
    ("money", "what", "compound interest",
     "Compound interest is interest earned on both your original money and the interest it has already"
     " earned, so savings grow faster over time."),
    ("money", "what", "a credit score",
     "A credit score is a number that shows lenders how reliably you have repaid debts."),
    ("money", "what", "a stock",
     "A stock is a small share of ownership in a company."),
    ("money", "what", "diversification",
     "Diversification means spreading your money across many different investments, so that a loss in "
     "one of them does not hurt you too much."),
    ("money", "what", "a recession",
     "A recession is a significant decline in economic activity that lasts for months, with falling "
     "output, income and jobs."),
    ("money", "what", "an interest rate",
     "An interest rate is the price of borrowing money, given as a percentage of the amount per year."),
    ("money", "how", "save money each month",
     "Make a budget, set up an automatic transfer to savings on payday, and cut spending you do not "
     "value, such as subscriptions you no longer use."),
    ("money", "how", "start investing",
     "First build an emergency fund, then invest regularly in a low-cost, diversified index fund and "
     "leave the money there for the long term."),
    # Home
    ("home", "what", "a smoke detector",
     "A smoke detector is a device that senses smoke and sounds a loud alarm to warn of fire."),
    ("home", "how", "remove a wine stain",
     "Blot the stain at once without rubbing, rinse it with cold water, then apply a little dish soap "
     "or stain remover before washing."),
    ("home", "how", "get rid of mold",
     "Clean small areas with soap and water or a mold cleaner while wearing gloves, dry the area well,"
     " and improve airflow so the damp does not return."),
    ("home", "how", "organize a closet",
     "Take everything out, give away what you no longer wear, group the rest by type, and keep the "
     "things you use most at eye level."),
    ("home", "how", "reset a circuit breaker",
     "Find the breaker panel and the switch that is off or in the middle, push it fully off and then "
     "back on."),
    # Nature
    ("nature", "what", "a rainbow",
     "A rainbow forms when sunlight is bent and reflected inside raindrops, which splits the light "
     "into its colors."),
    ("nature", "what", "a volcano",
     "A volcano is an opening in Earth's crust where molten rock, ash and gas escape from below."),
    ("nature", "what", "pollination",
     "Pollination is the transfer of pollen from one flower to another, often by bees, other insects "
     "or the wind, which lets plants make seeds and fruit."),
    ("nature", "what", "biodiversity",
     "Biodiversity is the variety of life in a place, from genes to species to whole ecosystems."),
    ("nature", "what", "an earthquake",
     "An earthquake is a sudden shaking of the ground caused by rocks breaking and slipping along a "
     "fault, usually where tectonic plates meet."),
    ("nature", "what", "a desert",
     "A desert is a region that gets very little rain, usually less than 250 millimeters a year."),
    ("nature", "how", "grow tomatoes",
     "Plant them in a sunny spot after the last frost, water deeply at the base, support the stems "
     "with stakes or cages, and feed them with compost."),
    # History
    ("history", "what", "the Renaissance",
     "The Renaissance was a period of renewed interest in art, science and classical learning in "
     "Europe, beginning in Italy in the 14th century."),
    ("history", "what", "World War II",
     "World War II was a global war from 1939 to 1945 between the Allies and the Axis powers."),
    ("history", "what", "the Cold War",
     "The Cold War was a long period of tension between the United States and the Soviet Union, from "
     "about 1947 to 1991, fought through rivalry rather than direct war."),
    ("history", "what", "the first moon landing",
     "The first moon landing was NASA's Apollo 11 mission in July 1969, when Neil Armstrong and Buzz "
     "Aldrin became the first people to walk on the Moon."),
    ("history", "what", "democracy",
     "Democracy is a system of government in which the citizens hold power, usually by voting in free "
     "elections to choose their leaders."),
    # Language
    ("language", "what", "a noun",
     "A noun is a word for a person, place, thing or idea, such as teacher, city, table or happiness."),
    ("language", "what", "a metaphor",
     "A metaphor describes something by saying it is something else, to show a likeness, as in 'time "
     "is money' or 'the world is a stage'."),
    ("language", "what", "a synonym",
     "A synonym is a word that means the same or nearly the same as another word, like big and large "
     "or quick and fast."),
    ("language", "what", "Latin",
     "Latin was the language of ancient Rome."),
    ("language", "how", "improve my writing",
     "Read widely, write regularly, keep sentences short and clear, and revise your drafts."),
    ("language", "how", "expand my vocabulary",
     "Read books and articles a little above your level, look up new words, write them down with an "
     "example sentence, and use them in conversation."),
    # Sport
    ("sport", "what", "the offside rule in soccer",
     "In soccer, a player is offside if they are in the opponents' half and closer to the goal line "
     "than both the ball and the second-last defender when the ball is passed to them."),
    ("sport", "what", "cardio",
     "Cardio is exercise that keeps your heart rate up for a while, such as running, cycling or "
     "swimming."),
    ("sport", "what", "chess",
     "Chess is a strategy board game for two players with sixteen pieces each."),
    ("sport", "how", "warm up before exercise",
     "Spend five to ten minutes on light cardio, such as brisk walking or easy jogging, then do "
     "dynamic moves such as leg swings and arm circles."),
    ("sport", "how", "improve my running endurance",
     "Run regularly, keep most runs at an easy pace, add one longer run each week, and raise your "
     "weekly distance by no more than about 10 percent."),
    ("sport", "how", "start running",
     "Begin with short sessions that mix walking and running, three times a week, and slowly increase "
     "the running time."),
    # Work and everyday life
    ("everyday", "how", "write a CV",
     "Keep it to one or two pages, list your most recent experience first, focus on results rather "
     "than duties, and adapt it to each job."),
    ("everyday", "how", "remember things better",
     "Review new material several times with growing gaps between sessions, test yourself instead of "
     "rereading, and get enough sleep."),
    ("everyday", "how", "change a flat tire",
     "Park safely, loosen the wheel nuts, raise the car with the jack, swap the wheel for the spare, "
     "then tighten the nuts in a star pattern and lower the car."),
)

# subject -> (follow-up question, answer). Only these topics appear in multi-turn rows.
FOLLOW_UPS = {
    "Python": ("Can you give me an example?",
               "For example, a short Python script can rename hundreds of files or add up the numbers"
               " in a spreadsheet in a few seconds."),
    "Git": ("Why does that matter?",
            "You never lose work: if a change breaks something you can go back, and several people "
            "can change the same project without overwriting each other."),
    "a database": ("Can you give me an example?",
                   "An online shop keeps its products, customers and orders in a database, so it can "
                   "quickly show what is in stock and what you bought."),
    "an algorithm": ("Can you give me an example?",
                     "Sorting a pile of cards by repeatedly finding the smallest card left and moving"
                     " it to the front is an algorithm."),
    "unit testing": ("Why does that matter?",
                     "Tests catch mistakes as soon as they happen and let you change code with "
                     "confidence, because you know at once if something broke."),
    "overfitting": ("How can I avoid it?",
                    "Use more data, a simpler model or regularization, and watch the validation loss "
                    "so you can stop training when it starts to rise."),
    "a large language model": ("Why does that matter?",
                               "Predicting the next word well requires learning grammar, facts and "
                               "some reasoning, so one model can help with many different tasks."),
    "tokenization": ("Can you give me an example?",
                     "The word unbelievable might be split into un, believ and able, and each piece "
                     "is mapped to a number that the model can use."),
    "RLHF": ("Why does that matter?",
             "A model trained only on web text just continues text. Feedback from people teaches it "
             "to give answers that are helpful, honest and safe."),
    "photosynthesis": ("Why does that matter?",
                       "It produces the oxygen we breathe and the food at the base of almost every "
                       "food chain, so nearly all life depends on it."),
    "DNA": ("Why does that matter?",
            "DNA shapes many of your traits, such as eye color, and studying it helps doctors "
            "understand inherited diseases and develop treatments."),
    "climate change": ("What can I do about it?",
                       "Use less energy, take the train, bike or public transport when you can, eat "
                       "less meat and support clean energy. Big changes also need government action."),
    "a vaccine": ("Why does that matter?",
                  "Vaccines have greatly reduced diseases such as measles and polio, and when many "
                  "people are vaccinated, a disease spreads less to those who cannot be."),
    "blood pressure": ("How can I keep it healthy?",
                       "Exercise regularly, eat less salt, keep a healthy weight, limit alcohol, do "
                       "not smoke, and have it checked from time to time."),
    "dehydration": ("What should I do about it?",
                    "Drink water in small sips, or an oral rehydration drink if you have lost a lot "
                    "of fluid, and rest somewhere cool. Get medical help if it is severe."),
    "an antibiotic": ("Why does that matter?",
                      "Taking antibiotics when they are not needed helps bacteria become resistant, "
                      "which makes future infections harder to treat."),
    "boil an egg": ("Is there anything I should avoid?",
                    "Do not overcook it, or the yolk turns dry with a green ring. Cooling it in cold "
                    "water right away also makes it easier to peel."),
    "bake bread": ("How do I know when it is done?",
                   "The crust should be a deep golden brown, and the loaf should sound hollow when "
                   "you tap the bottom."),
    "fermentation": ("Can you give me an example?",
                     "Yogurt is made by adding bacteria to milk. They turn the milk sugar into lactic"
                     " acid, which thickens the milk and gives it a tangy taste."),
    "find cheap flights": ("Is there anything I should avoid?",
                           "Watch out for extra fees for bags and seats, and check the total price "
                           "and where the airport is before you book."),
    "compound interest": ("Can you give me an example?",
                          "If you save 1,000 dollars at 5 percent a year, you have 1,050 after one "
                          "year and 1,102.50 after two, because the interest also earns interest."),
    "a credit score": ("How can I improve it?",
                       "Pay every bill on time, keep your credit card balances low, and avoid opening"
                       " many new accounts at once."),
    "diversification": ("Can you give me an example?",
                        "Instead of putting all your savings into one company's stock, you can buy an"
                        " index fund that holds hundreds of companies."),
    "a rainbow": ("Why are there different colors?",
                  "Each color of light bends by a slightly different amount in the raindrop, so white"
                  " sunlight spreads out into a band of colors from red to violet."),
    "a volcano": ("Can you give me an example?",
                  "Mount Vesuvius in Italy is a famous example. Its eruption in 79 AD buried the "
                  "Roman town of Pompeii."),
    "pollination": ("Why does that matter?",
                    "Many of the fruits, vegetables and nuts we eat depend on pollinators such as "
                    "bees, so their decline can affect our food supply."),
    "an earthquake": ("What should I do during one?",
                      "Drop to the ground, take cover under a sturdy table and hold on until the "
                      "shaking stops. Stay away from windows."),
    "democracy": ("Can you give me an example?",
                  "In a national election, citizens vote for the people who will represent them, and "
                  "leaders who lose the vote hand over power peacefully."),
    "a metaphor": ("How is that different from a simile?",
                   "A simile compares using like or as, as in 'brave as a lion', while a metaphor "
                   "says one thing is another, as in 'he is a lion'."),
    "create a strong password": ("Why does that matter?",
                                 "Weak or reused passwords are easy to guess or leak, and one stolen "
                                 "password can give attackers access to many of your accounts."),
    "back up my files": ("How often should I do it?",
                         "Back up important files at least once a week, or set up automatic backups "
                         "so it happens every day without you having to remember."),
    "debug my code": ("Can you give me an example?",
                      "If a total comes out wrong, print the running sum inside the loop. You might "
                      "see, for instance, that the loop skips the last item."),
    "prevent overfitting": ("What is regularization?",
                            "Regularization adds a penalty or constraint during training, such as "
                            "weight decay or dropout, that keeps the model from becoming too complex."),
    "a prime number": ("Why does that matter?",
                       "Every whole number above 1 is a product of primes, and large primes are used "
                       "in the encryption that protects online banking and shopping."),
    "calculate a percentage": ("How do I find a percentage increase?",
                               "Subtract the old value from the new one, divide by the old value and "
                               "multiply by 100. Going from 50 to 60 is a 20 percent increase."),
}

# Ten phrasings per kind. Every topic is trained in nine of them; the tenth, a different one for
# each topic, makes its held-out question: a familiar phrasing and a familiar topic that training
# never put together, so a model must answer from the topic, not from the wording it memorised.
WHAT_TEMPLATES = (
    "What is {}?",
    "Can you explain {}?",
    "Tell me about {}.",
    "What do people mean by {}?",
    "How would you describe {}?",
    "I keep hearing about {}. What is it?",
    "Could you tell me what {} is?",
    "What exactly is {}?",
    "Could you give me a quick overview of {}?",
    "Explain {} to a beginner.",
)
HOW_TEMPLATES = (
    "How do I {}?",
    "What is the best way to {}?",
    "Any tips on how to {}?",
    "How can I {}?",
    "What should I do to {}?",
    "I want to {}. How do I do that?",
    "Can you tell me how to {}?",
    "What's a good way to {}?",
    "What steps should I follow to {}?",
    "Could you walk me through how to {}?",
)
TEMPLATES = {"what": WHAT_TEMPLATES, "how": HOW_TEMPLATES}

# Rejected first answers that dodge the question; the other rejected answers are off-topic.
VAGUE_ANSWERS = (
    "I am not sure, you could search for it online.",
    "That is hard to say.",
    "It depends on a lot of things.",
    "I don't really know much about that.",
    "That is a good question, but I would rather not answer it.",
    "You should ask someone else about that.",
    "There are many opinions on that, so it is hard to tell.",
    "Hmm, I have heard of it, but I cannot remember the details.",
    "Why do you want to know?",
    "Just look it up, it is easy to find.",
    "People talk about that a lot. It is a whole thing.",
    "It varies. Some people say one thing and some say another.",
)
VAGUE_FOLLOW_UP_ANSWERS = (
    "It just does, really.",
    "I am not sure, you could look it up.",
    "There are too many to pick one.",
    "That depends, so I can't really say.",
    "Nothing comes to mind right now.",
    "I already answered that.",
)
# (human thanks, chosen reply, rejected reply) closing the three-turn rows.
THANKS_TURNS = (
    ("Thanks, that helps!", "You're welcome! I'm glad it helped.", "Okay."),
    ("Great, thank you.", "You're welcome. Feel free to ask if you have more questions.", "Sure, whatever."),
    ("Thank you, that makes sense.", "Glad to hear it. Good luck!", "Fine."),
)


def _dialogue(turns: list[tuple[str, str]]) -> str:
    """hh-rlhf text for (human, assistant) turn pairs: each turn starts with a blank line and a role."""
    return "".join(f"\n\nHuman: {human}\n\nAssistant: {assistant}" for human, assistant in turns)


def _with_opener(opener: str, subject: str, answer: str) -> str:
    """The answer behind an opener; "In short, " continues the sentence, so it lowercases the first word.

    Names and acronyms keep their capital: a first word with an inner capital (JavaScript, Wi-Fi,
    RLHF) or one that is capitalized in the subject itself (Python, Latin, World War II).
    """
    if not opener.endswith(", "):
        return opener + answer
    first_word = answer.split()[0].strip(",.:;")
    is_name = any(c.isupper() for c in first_word[1:]) or first_word in subject.split()
    return opener + (answer if is_name else answer[0].lower() + answer[1:])


def _heldout_template(topic_index: int) -> int:
    """Which of a topic's ten phrasings is kept out of training: a different one for neighbours."""
    return topic_index % len(WHAT_TEMPLATES)


def _rejected_answer(rng: random.Random, topic_index: int) -> str:
    """A worse first answer: mostly vague, sometimes a correct answer about another area."""
    if rng.random() < OFF_TOPIC_SHARE:
        # Another area, so that "prevent overfitting" never stands in as a wrong answer to "overfitting".
        area = TOPICS[topic_index][0]
        return rng.choice([answer for other, _, _, answer in TOPICS if other != area])
    return rng.choice(VAGUE_ANSWERS)


def _make_row(rng: random.Random, topic_index: int, question: str, human_turns: int) -> dict:
    """One preference row with 1, 2 or 3 human turns."""
    _, _, subject, answer = TOPICS[topic_index]
    opener = EXPLAIN_PREFIX if rng.random() < ALREADY_EXPLAINING_SHARE else ""
    chosen = [(question, _with_opener(opener, subject, answer))]
    rejected = [(question, _rejected_answer(rng, topic_index))]
    if human_turns >= 2:
        follow_up, follow_answer = FOLLOW_UPS[subject]
        chosen.append((follow_up, follow_answer))
        rejected.append((follow_up, rng.choice(VAGUE_FOLLOW_UP_ANSWERS)))
    if human_turns >= 3:
        thanks, good_reply, bad_reply = rng.choice(THANKS_TURNS)
        chosen.append((thanks, good_reply))
        rejected.append((thanks, bad_reply))
    return {"chosen": _dialogue(chosen), "rejected": _dialogue(rejected)}


def _training_plan() -> list[tuple[int, str]]:
    """(topic index, question) for every topic in the nine phrasings that are not held out."""
    return [(index, template.format(subject))
            for index, (_, kind, subject, _) in enumerate(TOPICS)
            for number, template in enumerate(TEMPLATES[kind]) if number != _heldout_template(index)]


def training_dialogues() -> list[dict]:
    """Every topic in nine of its ten phrasings as single-turn rows, plus multi-turn rows, shuffled.

    The multi-turn rows repeat a sample of the questions about topics that have a follow-up, with a
    second human turn and, for a third of them, a closing "thank you" turn: the single-turn filter's work.
    """
    rng = random.Random(SEED)
    plan = _training_plan()
    eligible = [entry for entry in plan if TOPICS[entry[0]][2] in FOLLOW_UPS]
    multi = rng.sample(eligible, round(MULTI_TURN_SHARE * len(plan)))
    three = round(THREE_TURN_SHARE * len(multi))
    rows = [_make_row(rng, index, question, 1) for index, question in plan]
    rows += [_make_row(rng, index, question, 3 if k < three else 2) for k, (index, question) in enumerate(multi)]
    rng.shuffle(rows)
    return rows


def sft_conversations(copies: int = SFT_COPIES) -> list[tuple[str, str]]:
    """The reference model's SFT data: (question, answer) for every training question, `copies` times.

    Each copy draws its opener afresh, so the opener is a habit of style that does not depend on the
    question, and the model learns each topic's answer after every opener. Measured on the tiny model:
    with the earlier data (one opener per question, kept in the preference answers too) it learned
    question -> opener by heart, DPO's chosen side started 24 nats below the rejected one, and DPO
    wrecked the answers; with fresh openers and plain preference answers the gap is 1.3 nats and DPO
    only has to move the opener.
    """
    rng = random.Random(SEED + 1)
    texts, weights = zip(*SFT_OPENERS)
    conversations = []
    for index, question in _training_plan():
        _, _, subject, answer = TOPICS[index]
        for opener in rng.choices(texts, weights=weights, k=copies):
            conversations.append((question, _with_opener(opener, subject, answer)))
    rng.shuffle(conversations)
    return conversations


def heldout_questions() -> list[str]:
    """One question per topic, in table order, in the phrasing its training rows never use."""
    return [TEMPLATES[kind][_heldout_template(index)].format(subject)
            for index, (_, kind, subject, _) in enumerate(TOPICS)]


def topic_answers() -> list[str]:
    """Each topic's correct answer, in table order (so heldout_questions()[i] is answered by [i])."""
    return [answer for _, _, _, answer in TOPICS]
