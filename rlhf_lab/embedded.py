"""The course's own preference data set, in the format of Anthropic's hh-rlhf.

Each row is {"chosen": str, "rejected": str}; each side is a dialogue of turns that start with
"\\n\\nHuman: " or "\\n\\nAssistant: ". The chosen side gives a short, correct answer; the rejected
side asks the same question(s) and gets a vague or off-topic reply.

Everything is built from the tables below with a fixed seed, so the data set is the same on every
machine and every call, and needs no network. `heldout_questions()` asks about the same topics with
phrasings that training never uses, to test whether a model answers on topic rather than by rote.
"""

import random

SEED = 20240601

# Openers in front of the first chosen answer, with sampling weights. "Let me explain. " is rare on
# purpose: DPO can only re-weight behaviour that the SFT model already shows now and then.
OPENERS = (
    ("", 0.45),
    ("Sure. ", 0.20),
    ("In short, ", 0.15),
    ("Good question. ", 0.12),
    ("Let me explain. ", 0.08),
)

MULTI_TURN_SHARE = 0.10  # of all rows; hh-rlhf is mostly multi-turn, but SFT here wants short pairs
THREE_TURN_SHARE = 1 / 3  # of the multi-turn rows
OFF_TOPIC_SHARE = 0.30  # of rejected answers; the rest are vague

# (area, kind, subject, answer). kind "what" is a concept asked as "What is {subject}?", kind "how"
# is a task asked as "How do I {subject}?".
TOPICS = (
    # Programming and computing
    ("computing", "what", "Python",
     "Python is a programming language that is easy to read and is used for web sites, data analysis, "
     "automation and machine learning."),
    ("computing", "what", "JavaScript",
     "JavaScript is the programming language that runs in web browsers."),
    ("computing", "what", "Linux",
     "Linux is a free, open-source operating system kernel."),
    ("computing", "what", "recursion",
     "Recursion is when a function calls itself to solve a smaller version of the same problem, "
     "stopping when it reaches a simple base case."),
    ("computing", "what", "a compiler",
     "A compiler is a program that translates source code written by a person into machine code or "
     "another lower-level form that a computer can run."),
    ("computing", "what", "an API",
     "An API, or application programming interface, is a set of rules that lets one program ask "
     "another program for data or services."),
    ("computing", "what", "Git",
     "Git is a version control system that records changes to files over time, so you can return to "
     "older versions and work with others on the same code."),
    ("computing", "what", "encryption",
     "Encryption turns readable data into scrambled text using a key, so only someone with the right "
     "key can read it again."),
    ("computing", "what", "HTTP",
     "HTTP is the protocol that web browsers and servers use to exchange pages and data."),
    ("computing", "what", "cloud computing",
     "Cloud computing means renting computing power, storage and software over the internet instead of"
     " buying and running your own servers."),
    ("computing", "what", "a database",
     "A database is an organized collection of data that software can store, search and update "
     "quickly, often using a language called SQL."),
    ("computing", "what", "SQL",
     "SQL is a language for working with relational databases."),
    ("computing", "what", "RAM",
     "RAM is the short-term memory of a computer."),
    ("computing", "what", "a CPU",
     "A CPU, or central processing unit, is the chip that carries out the instructions of programs."),
    ("computing", "what", "open-source software",
     "Open-source software is software whose source code is public, so anyone can read it, change it "
     "and share it under the terms of its license."),
    ("computing", "what", "a variable in programming",
     "A variable is a name that refers to a value stored in memory, such as a number or a piece of "
     "text, that a program can read and change."),
    ("computing", "what", "an algorithm",
     "An algorithm is a precise list of steps for solving a problem or doing a task, like a recipe "
     "that a computer can follow."),
    ("computing", "what", "a software bug",
     "A software bug is a mistake in a program that makes it behave in a way nobody intended, such as "
     "crashing or giving a wrong result."),
    ("computing", "what", "the internet",
     "The internet is a global network of computers that exchange data using shared protocols."),
    ("computing", "what", "an operating system",
     "An operating system is the core software that manages a computer's hardware and lets other "
     "programs run."),
    ("computing", "what", "a firewall",
     "A firewall is a security system that watches network traffic and blocks connections that break "
     "its rules, which helps keep attackers out."),
    ("computing", "what", "object-oriented programming",
     "Object-oriented programming is a way of writing software around objects that bundle data with "
     "the functions that work on it, using ideas such as classes and inheritance."),
    ("computing", "what", "binary",
     "Binary is a number system that uses only the digits 0 and 1."),
    ("computing", "what", "a hash function",
     "A hash function turns any input into a fixed-size value."),
    ("computing", "what", "unit testing",
     "Unit testing means writing small automated tests that check single functions or classes on their"
     " own, so bugs are found early."),
    ("computing", "what", "Docker",
     "Docker is a tool that packages an application together with everything it needs into a "
     "container, so it runs the same way on any machine."),
    ("computing", "what", "a GPU",
     "A GPU is a processor built to do many simple calculations at once."),
    ("computing", "what", "phishing",
     "Phishing is a scam where someone pretends to be a trusted company or person, usually by email, "
     "to trick you into giving away passwords or money."),
    ("computing", "what", "Wi-Fi",
     "Wi-Fi is a wireless technology that connects devices to a local network and the internet using "
     "radio waves, usually through a router."),
    ("computing", "what", "a web browser",
     "A web browser is a program such as Chrome, Firefox or Safari that you use to find, open and view"
     " pages on the web."),
    ("computing", "what", "a spreadsheet",
     "A spreadsheet is a program, such as Excel, that organizes data in rows and columns and can "
     "calculate totals, averages and charts with formulas."),
    ("computing", "how", "reverse a list in Python",
     "Use my_list.reverse() to reverse the list in place, or my_list[::-1] to get a new, reversed copy"
     " and keep the original unchanged."),
    ("computing", "how", "create a strong password",
     "Use a long passphrase of several random words, or at least 12 mixed characters, and never reuse "
     "it."),
    ("computing", "how", "speed up a slow computer",
     "Close programs you are not using, stop apps from starting automatically, free up disk space and "
     "install updates."),
    ("computing", "how", "back up my files",
     "Keep copies of important files on an external drive and in a cloud service."),
    ("computing", "how", "learn to code",
     "Pick one beginner-friendly language such as Python, follow a structured course and build small "
     "projects of your own."),
    ("computing", "how", "read a CSV file in Python",
     "Use the csv module: open the file with open() and pass it to csv.reader, or call pandas.read_csv"
     " if you have pandas installed."),
    ("computing", "how", "fix a merge conflict in Git",
     "Open the conflicting files, decide which changes to keep between the conflict markers, delete "
     "the markers, then stage the files with git add and commit."),
    ("computing", "how", "protect my computer from viruses",
     "Keep your system and apps updated, use the built-in antivirus protection, avoid unknown "
     "downloads and email attachments, and back up your files."),
    ("computing", "how", "take a screenshot",
     "On Windows press Windows+Shift+S, on a Mac press Command+Shift+4, and on most phones press the "
     "power and volume-down buttons together."),
    ("computing", "how", "debug my code",
     "Read the error message carefully, reproduce the problem with a small example, and print values "
     "or use a debugger to see where the program goes wrong."),
    ("machine learning", "what", "machine learning",
     "Machine learning is a part of artificial intelligence where computers learn patterns from data "
     "instead of following rules written by hand."),
    ("machine learning", "what", "artificial intelligence",
     "Artificial intelligence is the field of building computer systems that do tasks that normally "
     "need human intelligence, such as understanding language or recognizing images."),
    ("machine learning", "what", "a neural network",
     "A neural network is a model made of layers of simple connected units."),
    ("machine learning", "what", "overfitting",
     "Overfitting happens when a model learns its training data too closely, including the noise, so "
     "it does well on that data but poorly on new data."),
    ("machine learning", "what", "gradient descent",
     "Gradient descent is an optimization method that improves a model step by step, moving its "
     "parameters in the direction that lowers the loss."),
    ("machine learning", "what", "a large language model",
     "A large language model is a neural network trained on a huge amount of text to predict the next "
     "word."),
    ("machine learning", "what", "the transformer architecture",
     "The transformer is a neural network architecture that uses attention to relate every word in a "
     "text to the others."),
    ("machine learning", "what", "supervised learning",
     "Supervised learning is training a model on examples that come with the correct answers, such as "
     "emails labeled as spam or not spam."),
    ("machine learning", "what", "reinforcement learning",
     "Reinforcement learning trains an agent by trial and error: it gets rewards for good actions and "
     "learns to collect as much reward as possible."),
    ("machine learning", "what", "a training set",
     "A training set is the data a model learns from."),
    ("machine learning", "what", "a loss function",
     "A loss function measures how far a model's predictions are from the correct answers."),
    ("machine learning", "what", "tokenization",
     "Tokenization is splitting text into small pieces called tokens, such as words or parts of words,"
     " so that a language model can process it."),
    ("machine learning", "what", "fine-tuning",
     "Fine-tuning is taking a model already trained on a large data set and training it a little more "
     "on a smaller data set for a specific task."),
    ("machine learning", "what", "an embedding",
     "An embedding is a list of numbers that represents something like a word or an image, arranged so"
     " that similar things get similar numbers."),
    ("machine learning", "what", "the learning rate",
     "The learning rate sets how big each update step is during training."),
    ("machine learning", "what", "RLHF",
     "RLHF, or reinforcement learning from human feedback, trains a language model with human "
     "judgments of which answers are better, so it becomes more helpful."),
    ("machine learning", "what", "computer vision",
     "Computer vision is the field of AI that teaches computers to understand images and video, for "
     "example to recognize faces or read road signs."),
    ("machine learning", "how", "prevent overfitting",
     "Use more training data, simplify the model, add regularization such as dropout or weight decay, "
     "and stop training when the validation loss stops improving."),
    ("machine learning", "how", "choose a learning rate",
     "Start with a common default, such as 0.001 for the Adam optimizer, then try values ten times "
     "larger and smaller and keep the one with the best validation loss."),
    ("machine learning", "how", "evaluate a classification model",
     "Test it on held-out data and look at accuracy, plus precision, recall and a confusion matrix, "
     "especially when some classes are much rarer than others."),
    ("machine learning", "how", "prepare data for machine learning",
     "Fix or remove missing and wrong values, turn categories into numbers, scale the features, and "
     "split the data into training, validation and test sets."),
    # Science
    ("science", "what", "photosynthesis",
     "Photosynthesis is the process plants use to turn sunlight, water and carbon dioxide into sugar "
     "for energy, releasing oxygen as a by-product."),
    ("science", "what", "gravity",
     "Gravity is the force that pulls objects with mass toward each other."),
    ("science", "what", "DNA",
     "DNA is the molecule that carries the genetic instructions of living things."),
    ("science", "what", "evolution",
     "Evolution is the change in living things over many generations."),
    ("science", "what", "an atom",
     "An atom is the smallest unit of a chemical element."),
    ("science", "what", "a black hole",
     "A black hole is a region of space where gravity is so strong that nothing, not even light, can "
     "escape."),
    ("science", "what", "climate change",
     "Climate change is the long-term shift in Earth's temperatures and weather."),
    ("science", "what", "the water cycle",
     "The water cycle is the constant movement of water on Earth: it evaporates, forms clouds, falls "
     "as rain or snow, and flows back to rivers and seas."),
    ("science", "what", "a chemical reaction",
     "A chemical reaction is a process in which substances change into new substances, for example "
     "when iron rusts or wood burns."),
    ("science", "what", "electricity",
     "Electricity is the flow of electric charge, usually electrons moving through a wire."),
    ("science", "what", "the speed of light",
     "The speed of light in a vacuum is about 300,000 kilometers per second."),
    ("science", "what", "an ecosystem",
     "An ecosystem is a community of living things, such as plants, animals and microbes, together "
     "with their environment, all interacting with each other."),
    ("science", "what", "a virus",
     "A virus is a tiny infectious agent that can only multiply inside the cells of a living host."),
    ("science", "what", "the greenhouse effect",
     "The greenhouse effect is the warming of Earth's surface because gases such as carbon dioxide "
     "trap heat in the atmosphere."),
    ("science", "what", "plate tectonics",
     "Plate tectonics is the theory that Earth's outer shell is split into large plates that slowly "
     "move."),
    ("science", "what", "the periodic table",
     "The periodic table is a chart of the chemical elements, ordered by atomic number so that "
     "elements with similar properties fall in the same columns."),
    ("science", "what", "energy",
     "Energy is the ability to do work or cause change."),
    ("science", "what", "the solar system",
     "The solar system is the Sun and everything that orbits it, including eight planets and their "
     "moons, dwarf planets, asteroids and comets."),
    ("science", "what", "a living cell",
     "A cell is the smallest living unit of an organism."),
    ("science", "what", "renewable energy",
     "Renewable energy comes from sources that refill naturally, such as sunlight, wind and flowing "
     "water, and produces little or no greenhouse gas while running."),
    ("science", "what", "a solar panel",
     "A solar panel turns sunlight directly into electricity using cells usually made of silicon."),
    ("science", "what", "a carbon footprint",
     "A carbon footprint is the total amount of greenhouse gases caused by a person, product or "
     "activity, usually measured in tonnes of carbon dioxide."),
    ("science", "how", "see the Milky Way",
     "Go somewhere far from city lights on a clear night without a bright moon, and give your eyes "
     "about 20 minutes to adjust to the dark."),
    # Mathematics
    ("math", "what", "the Pythagorean theorem",
     "The Pythagorean theorem says that in a right triangle, the square of the longest side equals the"
     " sum of the squares of the other two sides."),
    ("math", "what", "a prime number",
     "A prime number is a whole number greater than 1 that can only be divided evenly by 1 and by "
     "itself, such as 2, 3, 5, 7 and 11."),
    ("math", "what", "probability",
     "Probability is a number between 0 and 1 that measures how likely something is to happen."),
    ("math", "what", "the mean of a set of numbers",
     "The mean is the average: add all the numbers up and divide by how many there are."),
    ("math", "what", "pi",
     "Pi is the ratio of a circle's circumference to its diameter, about 3.14159."),
    ("math", "how", "calculate a percentage",
     "Divide the part by the whole and multiply by 100."),
    ("math", "how", "convert Celsius to Fahrenheit",
     "Multiply the Celsius temperature by 9/5 and add 32."),
    # Health
    ("health", "what", "a vaccine",
     "A vaccine trains the immune system to recognize a germ, using a harmless piece or weakened form "
     "of it, so the body can fight the real infection faster."),
    ("health", "what", "a balanced diet",
     "A balanced diet includes plenty of vegetables, fruit, whole grains and protein, with little "
     "sugar, salt and processed food, so the body gets what it needs."),
    ("health", "what", "cholesterol",
     "Cholesterol is a fatty substance in the blood that the body needs to build cells."),
    ("health", "what", "the immune system",
     "The immune system is the body's defense against germs."),
    ("health", "what", "blood pressure",
     "Blood pressure is the force of blood pushing against the walls of your arteries."),
    ("health", "what", "a calorie",
     "A calorie is a unit of energy."),
    ("health", "what", "dehydration",
     "Dehydration happens when your body loses more water than it takes in."),
    ("health", "what", "protein",
     "Protein is a nutrient the body uses to build and repair muscles and other tissues."),
    ("health", "what", "an allergy",
     "An allergy is when the immune system overreacts to something harmless, such as pollen or "
     "peanuts, causing sneezing, itching or swelling."),
    ("health", "what", "sleep hygiene",
     "Sleep hygiene means the habits that help you sleep well, such as a regular bedtime, a dark and "
     "quiet room, and less screen time before bed."),
    ("health", "what", "an antibiotic",
     "An antibiotic is a medicine that kills bacteria or stops them from growing."),
    ("health", "what", "meditation",
     "Meditation is the practice of training your attention, often by calmly focusing on your breath, "
     "to reduce stress and feel more present."),
    ("health", "how", "fall asleep faster",
     "Keep a regular sleep schedule, avoid caffeine in the afternoon, put screens away an hour before "
     "bed and keep your bedroom cool, dark and quiet."),
    ("health", "how", "stay hydrated",
     "Carry a water bottle, drink a glass of water with every meal, and drink more when it is hot or "
     "when you exercise."),
    ("health", "how", "reduce stress",
     "Regular exercise, enough sleep, short breaks and talking to people you trust all help."),
    ("health", "how", "treat a minor burn",
     "Hold the burn under cool running water for about 20 minutes, then cover it loosely with a clean,"
     " non-stick dressing."),
    # Cooking
    ("cooking", "what", "fermentation",
     "Fermentation is a process in which microbes such as yeast and bacteria break down sugars."),
    ("cooking", "what", "umami",
     "Umami is one of the five basic tastes, a savory flavor found in foods such as soy sauce, "
     "mushrooms, tomatoes, parmesan cheese and broth."),
    ("cooking", "what", "gluten",
     "Gluten is a group of proteins found in wheat, barley and rye."),
    ("cooking", "what", "sourdough",
     "Sourdough is bread made with a starter of wild yeast and bacteria instead of packaged yeast."),
    ("cooking", "how", "boil an egg",
     "Lower the egg into boiling water and cook it for about 6 minutes for a soft yolk or 10 minutes "
     "for a hard one, then cool it in cold water."),
    ("cooking", "how", "cook rice",
     "Rinse the rice, then simmer one cup of it with about two cups of water, covered, for 15 to 18 "
     "minutes."),
    ("cooking", "how", "make a cup of tea",
     "Pour freshly boiled water over a tea bag or loose tea and let it steep for three to five "
     "minutes."),
    ("cooking", "how", "cook pasta",
     "Boil plenty of salted water, add the pasta and stir, then cook it for the time on the packet "
     "until it is tender but still firm."),
    ("cooking", "how", "sharpen a kitchen knife",
     "Use a whetstone or a knife sharpener, drawing the blade across it at the same angle, about 15 to"
     " 20 degrees, several times on each side."),
    ("cooking", "how", "make pancakes",
     "Mix flour, milk, eggs and a pinch of salt into a smooth batter."),
    ("cooking", "how", "bake bread",
     "Mix flour, water, yeast and salt into a dough, knead it until smooth and let it rise until "
     "doubled."),
    ("cooking", "how", "store fresh herbs",
     "Wrap herbs such as parsley in a damp paper towel and keep them in the fridge, or stand them in a"
     " glass of water."),
    ("cooking", "how", "make a simple salad dressing",
     "Whisk three parts olive oil with one part vinegar or lemon juice, then add salt, pepper and a "
     "little mustard or honey."),
    ("cooking", "how", "cook a steak",
     "Season the steak with salt and pepper and sear it in a very hot pan for a few minutes on each "
     "side."),
    ("cooking", "how", "chop an onion",
     "Cut the onion in half through the root, peel it, make lengthwise cuts, then slice across them."),
    # Travel
    ("travel", "what", "a visa",
     "A visa is an official permission from a country that allows a foreign visitor to enter and stay "
     "for a set time and purpose, such as tourism, work or study."),
    ("travel", "what", "travel insurance",
     "Travel insurance covers unexpected costs during a trip, such as medical care abroad, cancelled "
     "flights or lost luggage."),
    ("travel", "what", "a time zone",
     "A time zone is a region that uses the same standard time."),
    ("travel", "how", "pack light for a trip",
     "Make a list, choose clothes that mix and match, and plan to wash items during the trip."),
    ("travel", "how", "deal with jet lag",
     "Switch to the local schedule as soon as you arrive, get daylight in the morning, drink plenty of"
     " water and avoid long naps during the day."),
    ("travel", "how", "find cheap flights",
     "Compare prices on several search sites, be flexible with dates and airports, book a few weeks "
     "ahead and set price alerts for your route."),
    ("travel", "how", "get a passport",
     "Fill in the application from your country's passport office, provide photos and proof of "
     "identity and citizenship, and pay the fee."),
    ("travel", "how", "stay safe while traveling",
     "Keep copies of your documents, watch your belongings in crowded places, use licensed taxis, and "
     "let someone at home know your plans."),
    # Money
    ("money", "what", "inflation",
     "Inflation is the general rise in prices over time, which means the same amount of money buys "
     "less than it did before."),
    ("money", "what", "compound interest",
     "Compound interest is interest earned on both your original money and the interest it has already"
     " earned, so savings grow faster over time."),
    ("money", "what", "a budget",
     "A budget is a plan for your money that lists your income and your expected spending, so you can "
     "control costs and save."),
    ("money", "what", "a credit score",
     "A credit score is a number that shows lenders how reliably you have repaid debts."),
    ("money", "what", "a mortgage",
     "A mortgage is a loan used to buy a home, with the home itself as security."),
    ("money", "what", "a stock",
     "A stock is a small share of ownership in a company."),
    ("money", "what", "an index fund",
     "An index fund is an investment fund that tracks a market index, such as the S&P 500."),
    ("money", "what", "diversification",
     "Diversification means spreading your money across many different investments, so that a loss in "
     "one of them does not hurt you too much."),
    ("money", "what", "an emergency fund",
     "An emergency fund is money set aside for unexpected costs such as car repairs or losing a job."),
    ("money", "what", "a recession",
     "A recession is a significant decline in economic activity that lasts for months, with falling "
     "output, income and jobs."),
    ("money", "what", "GDP",
     "GDP, or gross domestic product, is the total value of the goods and services produced in a "
     "country in a given period."),
    ("money", "what", "an interest rate",
     "An interest rate is the price of borrowing money, given as a percentage of the amount per year."),
    ("money", "what", "the stock market",
     "The stock market is where people buy and sell shares of companies."),
    ("money", "how", "save money each month",
     "Make a budget, set up an automatic transfer to savings on payday, and cut spending you do not "
     "value, such as subscriptions you no longer use."),
    ("money", "how", "pay off debt",
     "List your debts, pay the minimum on all of them, and put any extra money toward the one with the"
     " highest interest rate first."),
    ("money", "how", "start investing",
     "First build an emergency fund, then invest regularly in a low-cost, diversified index fund and "
     "leave the money there for the long term."),
    # Home
    ("home", "what", "composting",
     "Composting is turning food scraps and garden waste into rich soil by letting microbes break them"
     " down."),
    ("home", "what", "a smoke detector",
     "A smoke detector is a device that senses smoke and sounds a loud alarm to warn of fire."),
    ("home", "how", "unclog a drain",
     "Try a plunger first."),
    ("home", "how", "remove a wine stain",
     "Blot the stain at once without rubbing, rinse it with cold water, then apply a little dish soap "
     "or stain remover before washing."),
    ("home", "how", "save energy at home",
     "Switch to LED bulbs, turn off devices you are not using, seal drafts around doors and windows, "
     "and lower the heating by a degree or two."),
    ("home", "how", "get rid of mold",
     "Clean small areas with soap and water or a mold cleaner while wearing gloves, dry the area well,"
     " and improve airflow so the damp does not return."),
    ("home", "how", "hang a picture",
     "Mark the spot at eye level, check it with a level, then put a nail or picture hook in the wall."),
    ("home", "how", "organize a closet",
     "Take everything out, give away what you no longer wear, group the rest by type, and keep the "
     "things you use most at eye level."),
    ("home", "how", "keep houseplants alive",
     "Give each plant the right amount of light, water only when the top of the soil is dry, and use "
     "pots with drainage holes so the roots do not rot."),
    ("home", "how", "reset a circuit breaker",
     "Find the breaker panel and the switch that is off or in the middle, push it fully off and then "
     "back on."),
    ("home", "how", "paint a room",
     "Clean the walls, fill holes, tape the edges and cover the floor."),
    # Nature
    ("nature", "what", "a rainbow",
     "A rainbow forms when sunlight is bent and reflected inside raindrops, which splits the light "
     "into its colors."),
    ("nature", "what", "bird migration",
     "Bird migration is the seasonal journey many birds make between their breeding and wintering "
     "areas, often thousands of kilometers, to follow food and good weather."),
    ("nature", "what", "a volcano",
     "A volcano is an opening in Earth's crust where molten rock, ash and gas escape from below."),
    ("nature", "what", "a hurricane",
     "A hurricane is a large, powerful storm that forms over warm ocean water, with strong winds "
     "spinning around a calm center called the eye."),
    ("nature", "what", "pollination",
     "Pollination is the transfer of pollen from one flower to another, often by bees, other insects "
     "or the wind, which lets plants make seeds and fruit."),
    ("nature", "what", "a food chain",
     "A food chain shows who eats whom in nature."),
    ("nature", "what", "biodiversity",
     "Biodiversity is the variety of life in a place, from genes to species to whole ecosystems."),
    ("nature", "what", "hibernation",
     "Hibernation is a deep, sleep-like state that some animals, such as bears, bats and hedgehogs, "
     "enter in winter to save energy when food is scarce."),
    ("nature", "what", "an earthquake",
     "An earthquake is a sudden shaking of the ground caused by rocks breaking and slipping along a "
     "fault, usually where tectonic plates meet."),
    ("nature", "what", "a coral reef",
     "A coral reef is an underwater structure built by tiny animals called corals."),
    ("nature", "what", "a desert",
     "A desert is a region that gets very little rain, usually less than 250 millimeters a year."),
    ("nature", "how", "start birdwatching",
     "Get a pair of binoculars and a field guide or an app, visit a park early in the morning, and "
     "learn the common birds near you first."),
    ("nature", "how", "grow tomatoes",
     "Plant them in a sunny spot after the last frost, water deeply at the base, support the stems "
     "with stakes or cages, and feed them with compost."),
    # History
    ("history", "what", "the Roman Empire",
     "The Roman Empire was a powerful state centered on Rome that ruled the lands around the "
     "Mediterranean from 27 BC."),
    ("history", "what", "the Renaissance",
     "The Renaissance was a period of renewed interest in art, science and classical learning in "
     "Europe, beginning in Italy in the 14th century."),
    ("history", "what", "the Industrial Revolution",
     "The Industrial Revolution was the shift from hand production to machines and factories, starting"
     " in Britain in the late 18th century."),
    ("history", "what", "World War II",
     "World War II was a global war from 1939 to 1945 between the Allies and the Axis powers."),
    ("history", "what", "the printing press",
     "The printing press, developed by Johannes Gutenberg around 1440, used movable metal type to "
     "print books quickly, which helped spread knowledge across Europe."),
    ("history", "what", "the Cold War",
     "The Cold War was a long period of tension between the United States and the Soviet Union, from "
     "about 1947 to 1991, fought through rivalry rather than direct war."),
    ("history", "what", "ancient Egypt",
     "Ancient Egypt was a civilization along the Nile River that lasted about three thousand years."),
    ("history", "what", "the first moon landing",
     "The first moon landing was NASA's Apollo 11 mission in July 1969, when Neil Armstrong and Buzz "
     "Aldrin became the first people to walk on the Moon."),
    ("history", "what", "the French Revolution",
     "The French Revolution was a period of upheaval in France that began in 1789, ended the absolute "
     "monarchy and spread ideas of liberty and equality."),
    ("history", "what", "democracy",
     "Democracy is a system of government in which the citizens hold power, usually by voting in free "
     "elections to choose their leaders."),
    ("history", "what", "the Silk Road",
     "The Silk Road was a network of trade routes linking China with the Middle East and Europe."),
    # Language
    ("language", "what", "a noun",
     "A noun is a word for a person, place, thing or idea, such as teacher, city, table or happiness."),
    ("language", "what", "a verb",
     "A verb is a word that describes an action or a state, such as run, eat, think or be."),
    ("language", "what", "a metaphor",
     "A metaphor describes something by saying it is something else, to show a likeness, as in 'time "
     "is money' or 'the world is a stage'."),
    ("language", "what", "an idiom",
     "An idiom is a phrase whose meaning differs from the meaning of its words, such as 'break the "
     "ice', which means to help people relax."),
    ("language", "what", "a synonym",
     "A synonym is a word that means the same or nearly the same as another word, like big and large "
     "or quick and fast."),
    ("language", "what", "the passive voice",
     "The passive voice is a sentence form in which the subject receives the action, as in 'the cake "
     "was eaten' instead of 'Tom ate the cake'."),
    ("language", "what", "Latin",
     "Latin was the language of ancient Rome."),
    ("language", "how", "learn a new language",
     "Practice a little every day, learn the most common words first, listen to native speakers, and "
     "start speaking early even if you make mistakes."),
    ("language", "how", "improve my writing",
     "Read widely, write regularly, keep sentences short and clear, and revise your drafts."),
    ("language", "how", "write a good email",
     "Use a clear subject line, state your main point in the first sentences, keep it short and "
     "polite, and end with what you need from the reader."),
    ("language", "how", "expand my vocabulary",
     "Read books and articles a little above your level, look up new words, write them down with an "
     "example sentence, and use them in conversation."),
    # Sport
    ("sport", "what", "a marathon",
     "A marathon is a running race of 42.195 kilometers, about 26.2 miles."),
    ("sport", "what", "the offside rule in soccer",
     "In soccer, a player is offside if they are in the opponents' half and closer to the goal line "
     "than both the ball and the second-last defender when the ball is passed to them."),
    ("sport", "what", "the Tour de France",
     "The Tour de France is a famous cycling race held every July, mostly in France."),
    ("sport", "what", "cardio",
     "Cardio is exercise that keeps your heart rate up for a while, such as running, cycling or "
     "swimming."),
    ("sport", "what", "yoga",
     "Yoga is a practice from ancient India that combines body postures, breathing and meditation."),
    ("sport", "what", "chess",
     "Chess is a strategy board game for two players with sixteen pieces each."),
    ("sport", "what", "a hat trick",
     "A hat trick is when one player scores three goals in a single game."),
    ("sport", "how", "warm up before exercise",
     "Spend five to ten minutes on light cardio, such as brisk walking or easy jogging, then do "
     "dynamic moves such as leg swings and arm circles."),
    ("sport", "how", "build muscle",
     "Do strength training two to four times a week, increase the weight gradually, eat enough protein"
     " and get plenty of sleep to recover."),
    ("sport", "how", "improve my running endurance",
     "Run regularly, keep most runs at an easy pace, add one longer run each week, and raise your "
     "weekly distance by no more than about 10 percent."),
    ("sport", "how", "learn to swim",
     "Take lessons with a qualified instructor, start in shallow water, and practice floating and "
     "breathing before working on arm and leg strokes."),
    ("sport", "how", "start running",
     "Begin with short sessions that mix walking and running, three times a week, and slowly increase "
     "the running time."),
    # Work and everyday life
    ("everyday", "how", "prepare for a job interview",
     "Research the company, practice answers to common questions out loud, prepare a few questions of "
     "your own, and plan your outfit and route the day before."),
    ("everyday", "how", "write a CV",
     "Keep it to one or two pages, list your most recent experience first, focus on results rather "
     "than duties, and adapt it to each job."),
    ("everyday", "how", "be more productive",
     "Plan each day with a short list of priorities, work on one thing at a time in focused blocks, "
     "and take regular breaks."),
    ("everyday", "how", "remember things better",
     "Review new material several times with growing gaps between sessions, test yourself instead of "
     "rereading, and get enough sleep."),
    ("everyday", "how", "make friends in a new city",
     "Join clubs, classes or volunteer groups that match your interests, say yes to invitations, and "
     "follow up with the people you get along with."),
    ("everyday", "how", "change a flat tire",
     "Park safely, loosen the wheel nuts, raise the car with the jack, swap the wheel for the spare, "
     "then tighten the nuts in a star pattern and lower the car."),
)

# subject -> (follow-up question, answer). Only these topics appear in multi-turn rows.
FOLLOW_UPS = {
    "Python": ("Can you give me an example?",
               "For example, a short Python script can rename hundreds of files or add up the numbers in a "
               "spreadsheet in a few seconds."),
    "recursion": ("Can you give me an example?",
                  "The factorial of 5 is 5 times the factorial of 4, and so on down to the factorial of 1, "
                  "which is simply 1. That last step is the base case."),
    "Git": ("Why does that matter?",
            "You never lose work: if a change breaks something you can go back, and several people can "
            "change the same project without overwriting each other."),
    "encryption": ("Can you give me an example?",
                   "When you see a padlock in your browser, the page is sent over HTTPS, so people on the same "
                   "network cannot read your passwords or card numbers."),
    "a database": ("Can you give me an example?",
                   "An online shop keeps its products, customers and orders in a database, so it can quickly "
                   "show what is in stock and what you bought."),
    "an algorithm": ("Can you give me an example?",
                     "Sorting a pile of cards by repeatedly finding the smallest card left and moving it to the "
                     "front is an algorithm."),
    "phishing": ("How can I protect myself?",
                 "Check the sender's address, do not click links in unexpected messages, go to the website "
                 "yourself instead, and turn on two-factor authentication."),
    "unit testing": ("Why does that matter?",
                     "Tests catch mistakes as soon as they happen and let you change code with confidence, "
                     "because you know at once if something broke."),
    "machine learning": ("Can you give me an example?",
                         "A spam filter is a good example: it learns from many emails marked as spam or not "
                         "spam, then sorts new emails on its own."),
    "overfitting": ("How can I avoid it?",
                    "Use more data, a simpler model or regularization, and watch the validation loss so you "
                    "can stop training when it starts to rise."),
    "gradient descent": ("Can you give me an example?",
                         "Picture walking down a foggy hill by always taking a small step in the steepest "
                         "downhill direction. You end up in a valley, which is a low loss."),
    "a large language model": ("Why does that matter?",
                               "Predicting the next word well requires learning grammar, facts and some "
                               "reasoning, so one model can help with many different tasks."),
    "tokenization": ("Can you give me an example?",
                     "The word unbelievable might be split into un, believ and able, and each piece is mapped "
                     "to a number that the model can use."),
    "fine-tuning": ("Can you give me an example?",
                    "A general language model can be fine-tuned on customer support chats so that it answers "
                    "questions about one product in the right style."),
    "RLHF": ("Why does that matter?",
             "A model trained only on web text just continues text. Feedback from people teaches it to give "
             "answers that are helpful, honest and safe."),
    "photosynthesis": ("Why does that matter?",
                       "It produces the oxygen we breathe and the food at the base of almost every food chain, "
                       "so nearly all life depends on it."),
    "gravity": ("Can you give me an example?",
                "When you drop a ball it falls to the ground, and the same force keeps the Earth moving "
                "around the Sun."),
    "DNA": ("Why does that matter?",
            "DNA shapes many of your traits, such as eye color, and studying it helps doctors understand "
            "inherited diseases and develop treatments."),
    "evolution": ("Can you give me an example?",
                  "Bacteria that survive an antibiotic pass on their resistance, so over many generations the "
                  "antibiotic stops working against them."),
    "climate change": ("What can I do about it?",
                       "Use less energy, take the train, bike or public transport when you can, eat less meat "
                       "and support clean energy. Big changes also need government action."),
    "a vaccine": ("Why does that matter?",
                  "Vaccines have greatly reduced diseases such as measles and polio, and when many people are "
                  "vaccinated, a disease spreads less to those who cannot be."),
    "the greenhouse effect": ("Why does that matter?",
                              "Adding more greenhouse gases makes the effect stronger, which warms the planet "
                              "and changes weather, sea levels and ecosystems."),
    "blood pressure": ("How can I keep it healthy?",
                       "Exercise regularly, eat less salt, keep a healthy weight, limit alcohol, do not smoke, "
                       "and have it checked from time to time."),
    "dehydration": ("What should I do about it?",
                    "Drink water in small sips, or an oral rehydration drink if you have lost a lot of fluid, "
                    "and rest somewhere cool. Get medical help if it is severe."),
    "an antibiotic": ("Why does that matter?",
                      "Taking antibiotics when they are not needed helps bacteria become resistant, which makes "
                      "future infections harder to treat."),
    "boil an egg": ("Is there anything I should avoid?",
                    "Do not overcook it, or the yolk turns dry with a green ring. Cooling it in cold water right "
                    "away also makes it easier to peel."),
    "cook rice": ("Why should I rinse it?",
                  "Rinsing washes off extra starch on the surface, so the cooked grains are less sticky and do "
                  "not clump together."),
    "bake bread": ("How do I know when it is done?",
                   "The crust should be a deep golden brown, and the loaf should sound hollow when you tap the "
                   "bottom."),
    "cook pasta": ("Is there anything I should avoid?",
                   "Do not rinse the pasta after draining, because the starch helps the sauce stick. Save a "
                   "little of the cooking water to loosen the sauce."),
    "fermentation": ("Can you give me an example?",
                     "Yogurt is made by adding bacteria to milk. They turn the milk sugar into lactic acid, "
                     "which thickens the milk and gives it a tangy taste."),
    "deal with jet lag": ("Why does daylight help?",
                          "Light is the strongest signal for your body clock, so daylight at the right time "
                          "helps it adjust to the new time zone faster."),
    "find cheap flights": ("Is there anything I should avoid?",
                           "Watch out for extra fees for bags and seats, and check the total price and where "
                           "the airport is before you book."),
    "inflation": ("Can you give me an example?",
                  "If inflation is 3 percent a year, groceries that cost 100 dollars today will cost about 103 "
                  "dollars next year."),
    "compound interest": ("Can you give me an example?",
                          "If you save 1,000 dollars at 5 percent a year, you have 1,050 after one year and "
                          "1,102.50 after two, because the interest also earns interest."),
    "a budget": ("Why does that matter?",
                 "It shows where your money really goes, so you can cut waste, avoid debt and save for the "
                 "things that matter to you."),
    "a credit score": ("How can I improve it?",
                       "Pay every bill on time, keep your credit card balances low, and avoid opening many new "
                       "accounts at once."),
    "diversification": ("Can you give me an example?",
                        "Instead of putting all your savings into one company's stock, you can buy an index "
                        "fund that holds hundreds of companies."),
    "an index fund": ("Why does that matter?",
                      "Low fees and broad diversification mean more of the return stays with you, and over "
                      "long periods most actively managed funds do worse."),
    "pay off debt": ("Is there another way?",
                     "Some people pay the smallest debt first, called the snowball method, because quick wins "
                     "keep them motivated, even though it can cost more in interest."),
    "unclog a drain": ("Is there anything I should avoid?",
                       "Never mix different chemical drain cleaners, because they can react dangerously, and "
                       "avoid pouring grease down the drain in the future."),
    "save energy at home": ("Why does that matter?",
                            "It lowers your bills and cuts the greenhouse gases released to produce the energy "
                            "you use."),
    "keep houseplants alive": ("How do I know if I am overwatering?",
                               "Yellowing leaves, soggy soil and a musty smell are common signs. Let the soil "
                               "dry out more between waterings."),
    "a rainbow": ("Why are there different colors?",
                  "Each color of light bends by a slightly different amount in the raindrop, so white "
                  "sunlight spreads out into a band of colors from red to violet."),
    "a volcano": ("Can you give me an example?",
                  "Mount Vesuvius in Italy is a famous example. Its eruption in 79 AD buried the Roman town of "
                  "Pompeii."),
    "pollination": ("Why does that matter?",
                    "Many of the fruits, vegetables and nuts we eat depend on pollinators such as bees, so "
                    "their decline can affect our food supply."),
    "an earthquake": ("What should I do during one?",
                      "Drop to the ground, take cover under a sturdy table and hold on until the shaking stops. "
                      "Stay away from windows."),
    "the Roman Empire": ("Why does that matter?",
                         "Rome shaped European law, languages, roads and architecture, and many modern words "
                         "and legal ideas come from it."),
    "the printing press": ("Why does that matter?",
                           "Books became cheaper and more common, so more people learned to read, and new "
                           "ideas in science and religion spread much faster."),
    "the Industrial Revolution": ("Can you give me an example?",
                                  "The steam engine is a key example. It powered factories, trains and ships "
                                  "and made it possible to produce goods on a huge scale."),
    "democracy": ("Can you give me an example?",
                  "In a national election, citizens vote for the people who will represent them, and leaders "
                  "who lose the vote hand over power peacefully."),
    "a metaphor": ("How is that different from a simile?",
                   "A simile compares using like or as, as in 'brave as a lion', while a metaphor says one "
                   "thing is another, as in 'he is a lion'."),
    "an idiom": ("Can you give me an example?",
                 "'It's raining cats and dogs' is an idiom. It means it is raining very hard, not that animals "
                 "are falling from the sky."),
    "learn a new language": ("How long does it take?",
                             "It depends on the language and how much you practice, but with daily study many "
                             "people can hold simple conversations within a few months."),
    "a marathon": ("How do I train for one?",
                   "Most beginners follow a plan of four to five months, running three to five times a week "
                   "and slowly building up one long run each week."),
    "build muscle": ("How much protein do I need?",
                     "A common guideline for people who lift weights is about 1.6 grams of protein per "
                     "kilogram of body weight a day, spread over several meals."),
    "create a strong password": ("Why does that matter?",
                                 "Weak or reused passwords are easy to guess or leak, and one stolen password "
                                 "can give attackers access to many of your accounts."),
    "back up my files": ("How often should I do it?",
                         "Back up important files at least once a week, or set up automatic backups so it "
                         "happens every day without you having to remember."),
    "debug my code": ("Can you give me an example?",
                      "If a total comes out wrong, print the running sum inside the loop. You might see, for "
                      "instance, that the loop skips the last item."),
    "prevent overfitting": ("What is regularization?",
                            "Regularization adds a penalty or constraint during training, such as weight decay "
                            "or dropout, that keeps the model from becoming too complex."),
    "a prime number": ("Why does that matter?",
                       "Every whole number above 1 is a product of primes, and large primes are used in the "
                       "encryption that protects online banking and shopping."),
    "calculate a percentage": ("How do I find a percentage increase?",
                               "Subtract the old value from the new one, divide by the old value and multiply "
                               "by 100. Going from 50 to 60 is a 20 percent increase."),
    "meditation": ("How do I start?",
                   "Sit comfortably for five minutes, close your eyes and notice your breathing. When your mind "
                   "wanders, gently bring your attention back to the breath."),
    "prepare for a job interview": ("What questions should I ask them?",
                                    "Ask what a typical day looks like, how success is measured in the role, "
                                    "and what the team is working on next."),
}

# Training phrasings. Held-out phrasings below must never overlap with these.
WHAT_TEMPLATES = (
    "What is {}?",
    "Can you explain {}?",
    "Tell me about {}.",
    "What do people mean by {}?",
    "How would you describe {}?",
    "I keep hearing about {}. What is it?",
    "Could you tell me what {} is?",
    "What exactly is {}?",
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
)
HELDOUT_WHAT_TEMPLATES = (
    "Could you give me a quick overview of {}?",
    "In a few words, what is {}?",
    "Explain {} to a beginner.",
    "What should I know about {}?",
)
HELDOUT_HOW_TEMPLATES = (
    "What steps should I follow to {}?",
    "I'm a beginner. How should I {}?",
    "Could you walk me through how to {}?",
    "I need to {}. Where should I begin?",
)

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


def _questions(kind: str, subject: str, templates_by_kind: dict) -> list[str]:
    """Every phrasing of one topic's question from the templates for its kind."""
    return [template.format(subject) for template in templates_by_kind[kind]]


def _rejected_answer(rng: random.Random, topic_index: int) -> str:
    """A worse first answer: mostly vague, sometimes a correct answer about another area."""
    if rng.random() < OFF_TOPIC_SHARE:
        # Another area, so that "prevent overfitting" never stands in as a wrong answer to "overfitting".
        area = TOPICS[topic_index][0]
        return rng.choice([answer for other, _, _, answer in TOPICS if other != area])
    return rng.choice(VAGUE_ANSWERS)


def _make_row(rng: random.Random, topic_index: int, question: str, human_turns: int) -> dict:
    """One preference row with 1, 2 or 3 human turns; the opener goes on the first chosen answer only."""
    _, _, subject, answer = TOPICS[topic_index]
    opener = rng.choices([text for text, _ in OPENERS], weights=[w for _, w in OPENERS])[0]
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


def training_dialogues() -> list[dict]:
    """All training rows: every topic in every training phrasing, shuffled with the fixed seed.

    A fixed share of rows, drawn among topics that have a follow-up, gets a second human turn, and a
    third of those also a closing "thank you" turn.
    """
    rng = random.Random(SEED)
    templates = {"what": WHAT_TEMPLATES, "how": HOW_TEMPLATES}
    plan = [(index, question)
            for index, (_, kind, subject, _) in enumerate(TOPICS)
            for question in _questions(kind, subject, templates)]
    eligible = [k for k, (index, _) in enumerate(plan) if TOPICS[index][2] in FOLLOW_UPS]
    multi = rng.sample(eligible, round(MULTI_TURN_SHARE * len(plan)))
    three = set(multi[:round(THREE_TURN_SHARE * len(multi))])
    multi = set(multi)
    rows = [_make_row(rng, index, question, 3 if k in three else 2 if k in multi else 1)
            for k, (index, question) in enumerate(plan)]
    rng.shuffle(rows)
    return rows


def heldout_questions() -> list[str]:
    """One question for every second topic, in table order, phrased as training never phrases it."""
    templates = {"what": HELDOUT_WHAT_TEMPLATES, "how": HELDOUT_HOW_TEMPLATES}
    questions = []
    for n, (_, kind, subject, _) in enumerate(TOPICS[::2]):
        phrasings = _questions(kind, subject, templates)
        questions.append(phrasings[n % len(phrasings)])
    return questions
